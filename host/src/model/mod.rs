//! The cluster model: one immutable, columnar [`Snapshot`] per cycle and the
//! [`Decision`]s policies propose against it. Pure data, no I/O.
//!
//! The snapshot is the WIT contract's own type (unpacked, as
//! `fulcrum:policy@0.2.0` has it), so handing it to a policy is a sequence of
//! bulk copies. Rows refer to rows of other tables by index,
//! strings are interned in a [`StringTable`], and enum columns hold codes
//! ([`Code`]).

mod builder;
mod codes;
mod decision;
mod json;
mod reason;
mod snapshot;
mod strings;
mod uuid;

pub use builder::{
    GpuSample, GroupSample, InstanceSample, MemberSample, MigSample, NodeSample, SnapshotBuilder,
};
pub use codes::Code;
pub use decision::{Action, ActionKind, Decision, ProfileCount};
pub use json::snapshot_from_json;
pub use reason::Reason;
pub use snapshot::{
    Availability, Gpus, Health, InstanceAction, InstanceGroups, InstanceStatus, Instances, Labels,
    MemberState, Members, MigInstances, NONE, Nodes, Pools, Signals, Snapshot, StringTable,
};
pub use strings::StringId;
pub use uuid::gpu_uuid_halves;
