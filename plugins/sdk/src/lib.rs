//! The Rust SDK for writing Fulcrum policies.
//!
//! A policy is a WebAssembly component that implements the `fulcrum:policy/policy`
//! world in `wit/types.wit`: the host hands it a columnar [`Snapshot`] of the
//! cluster and it answers with [`Decisions`]. This crate hides the component
//! plumbing:
//!
//! - [`view`]: cheap, read-only views over the snapshot's columns ([`SnapshotView`],
//!   [`NodeView`], [`GpuView`], [`PoolView`], [`MemberView`], …);
//! - [`column`]: the snapshot's number columns, which arrive packed (one
//!   little-endian value per row), read as typed values ([`Column`]);
//! - [`Decisions`]: the columnar set of decisions `decide` returns, written to
//!   directly or collected from [`Decision`]s;
//! - [`actions`]: the [`Action`] and [`Decision`] types and functions that build them;
//! - [`host`]: the [`Host`] trait (log and state), implemented by [`WasmHost`] on
//!   the host's imports;
//! - [`policy`]: the [`Policy`] trait and the [`export_policy!`] macro that turns a
//!   type into the component's exports;
//! - [`testing`]: [`MemoryHost`](testing::MemoryHost) and
//!   [`SnapshotBuilder`](testing::SnapshotBuilder) for native unit tests and
//!   benchmarks;
//! - [`bindings`]: the generated bindings, for the rare case the above lacks something.
//!
//! # A minimal policy
//!
//! The policy below pins the ratio of every pool member to 10. Build it for
//! `wasm32-wasip2` as a `cdylib` to get a component; the same code runs natively
//! in unit tests through [`testing`].
//!
//! ```
//! use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};
//!
//! /// Sets every member's ratio to one configured value.
//! pub struct FixedRatio {
//!     ratio: u32,
//! }
//!
//! impl Policy for FixedRatio {
//!     fn metadata() -> Metadata {
//!         Metadata {
//!             name: "fixed-ratio".into(),
//!             version: "0.1.0".into(),
//!             description: "Sets every pool member's ratio to 10".into(),
//!             action_kinds: vec![ActionKind::MemberRatio],
//!         }
//!     }
//!
//!     fn configure(_settings: &str) -> Result<Self, String> {
//!         Ok(FixedRatio { ratio: 10 })
//!     }
//!
//!     fn decide(
//!         &self,
//!         snapshot: &SnapshotView<'_>,
//!         _host: &mut dyn Host,
//!     ) -> Result<Decisions, String> {
//!         Ok(snapshot
//!             .members()
//!             .filter(|member| member.ratio() != self.ratio)
//!             .map(|member| actions::set_member_ratio(member.row(), self.ratio, "fixed ratio"))
//!             .collect())
//!     }
//! }
//!
//! fulcrum_sdk::export_policy!(FixedRatio);
//!
//! // Natively, in a unit test:
//! use fulcrum_sdk::testing::{MemoryHost, SnapshotBuilder};
//! use fulcrum_sdk::{Availability, MemberState};
//!
//! let mut builder = SnapshotBuilder::new();
//! let pool = builder.pool("mlPool", "Common", "ratio-member");
//! let member = builder.member(
//!     pool, "ml-node-1:8080", "10.0.0.1", 8080, 40,
//!     MemberState::Enabled, Availability::Available, 0, None,
//! );
//! let snapshot = builder.build();
//!
//! let policy = FixedRatio::configure("{}").unwrap();
//! let decisions = policy.decide(&SnapshotView::new(&snapshot), &mut MemoryHost::new()).unwrap();
//! assert_eq!(decisions.to_vec(), vec![actions::set_member_ratio(member, 10, "fixed ratio")]);
//! ```

#![warn(missing_docs)]

pub mod actions;
pub mod bindings;
pub mod column;
pub mod decisions;
pub mod host;
pub mod policy;
pub mod testing;
pub mod uuid;
pub mod view;

pub use actions::{
    Action, CapacityScaler, Decision, GroupSize, MemberRatio, MemberStateChange, MigLayout,
};
pub use bindings::fulcrum::policy::log::Level;
pub use bindings::fulcrum::policy::state::StateError;
pub use bindings::fulcrum::policy::types::{
    ActionKind, Availability, F32Column, F64Column, Gpus, Health, InstanceAction, InstanceGroups,
    InstanceStatus, Instances, Labels, MemberState, Members, Metadata, MigInstances, Nodes, Pools,
    ProfileCount, Row, RowColumn, Signals, Snapshot, SnapshotStrings, StringId, StringIdColumn,
    StringTable, U16Column, U32Column, U64Column,
};
pub use column::Column;
pub use decisions::{Decisions, Reason};
pub use host::{Host, WasmHost};
pub use policy::Policy;
pub use uuid::GpuUuid;
pub use view::{
    GpuView, GroupView, InstanceView, MemberView, MigView, NodeView, PoolView, Rows, SnapshotView,
};

/// The value of an absent row or string id (`none` in the WIT contract).
pub const NONE: u32 = u32::MAX;
