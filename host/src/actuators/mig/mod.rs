//! Applying MIG layouts: a planned layout becomes a [`MigRequest`], checked
//! against the GPUs' model, and a rollout that drains the node, reconfigures
//! it through an executor and restores it, over several cycles. The geometry
//! itself (profiles, placements) is the `fulcrum-mig` crate's; what the GPUs
//! report is read by [`crate::sources::mig`].
//!
//! - [`request`]: a requested layout for some GPUs of one node;
//! - [`rollout`]: Drain → WaitIdle → Apply → Confirm → Restore → Done, persisted
//!   between steps, driven through the [`drain::Drain`] and
//!   [`executor::Executor`] seams;
//! - [`drain`]: the load-balancer seam and which members a drain disables;
//! - [`rollouts`]: the rollouts in progress, one per node, driven each cycle
//!   and saved as one value;
//! - [`refusal`]: why a planned layout did not become a rollout;
//! - [`bigip_drain`]: the drain through the BIG-IP's pools;
//! - [`executor`]: [`executor::mig_parted`] configs, the Kubernetes node-label
//!   executor, the command executor and an embedded one;
//! - [`actuator`]: [`MigActuator`], what the engine calls each cycle: the
//!   plan's layouts started, every rollout driven and saved, drained members
//!   held from policies;
//! - [`config`]: the typed `[mig]` settings: the executor and the rollouts' waits.
//!
//! [`MigRequest`]: request::MigRequest

pub mod actuator;
pub mod bigip_drain;
pub mod config;
pub mod drain;
pub mod executor;
pub mod refusal;
pub mod request;
pub mod rollout;
pub mod rollouts;

pub use actuator::MigActuator;
