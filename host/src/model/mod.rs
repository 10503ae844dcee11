//! The cluster model: one immutable, columnar [`Snapshot`] per cycle and the
//! [`Decision`]s policies propose against it. Pure data, no I/O.
//!
//! The snapshot mirrors the WIT contract's `types.snapshot` column for column, so
//! handing it to a policy is a sequence of bulk copies. Rows refer to rows of
//! other tables by index and strings are interned in a [`StringTable`].

mod builder;
mod decision;
mod snapshot;
mod strings;

pub use builder::{GpuSample, MemberSample, NodeSample, SnapshotBuilder};
pub use decision::{Action, ActionKind, Decision, ProfileCount};
pub use snapshot::{
    Availability, Gpus, Health, InstanceAction, InstanceGroups, InstanceStatus, Instances, Labels,
    MemberState, Members, MigInstances, NONE, Nodes, Pools, Signals, Snapshot,
};
pub use strings::{StringId, StringTable};
