//! `host simulate`: score policies on real load traces before they touch
//! production. A request trace (or synthetic load) is replayed through a
//! simulated GPU fleet in virtual time; every cycle the fleet's telemetry
//! becomes a snapshot through the host's own [`SnapshotBuilder`], the real
//! policies take their turn in the real sandbox, the real guard holds their
//! decisions to the rails and the real planner makes the change set, which is
//! then applied to the simulated pool and instance group.
//!
//! [`SnapshotBuilder`]: crate::model::SnapshotBuilder

mod balancer;
mod batching;
mod fleet;
mod gpu;
mod histogram;
mod load;
mod metrics;
mod node;
mod replica;
mod telemetry;
pub mod scenario;
pub mod trace;
