//! MIG resizing: the profile geometry of MIG-capable GPUs, the rollout state
//! machine that drains, reconfigures and restores a node over several cycles,
//! and the executors that apply a layout (mig-parted configs, the GPU
//! Operator's node label, an operator-given command).
//!
//! - [`profiles`], [`geometry`]: which layouts a GPU model accepts, and why not;
//! - [`layout`]: a requested layout for some GPUs of one node;
//! - [`rollout`]: Drain → WaitIdle → Apply → Confirm → Restore → Done, persisted
//!   between steps, with the [`rollout::Drain`] and [`executor::Executor`] seams;
//! - [`executor`]: [`executor::mig_parted`] configs, the Kubernetes node-label
//!   executor and the command executor;
//! - [`reported`]: placements for instances DCGM reports without them;
//! - [`rollouts`]: the rollouts in progress, one per node, driven each cycle
//!   and saved as one value; [`drain`] drains through the BIG-IP;
//! - [`config`]: `[mig]`, the executor and the rollouts' waits.

pub mod config;
pub mod drain;
pub mod executor;
pub mod geometry;
pub mod layout;
pub mod profiles;
pub mod reported;
pub mod rollout;
pub mod rollouts;
