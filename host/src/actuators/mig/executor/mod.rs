//! Executors apply a [`MigRequest`] to a node and report how far it got.
//!
//! Applying is idempotent (the same layout applied twice is one change), so
//! a rollout resumed after a restart may apply again safely; the status is
//! read back from the node's side, never from memory, for the same reason.
//!
//! - [`mig_parted`]: the mig-parted config (schema v1) and name of a layout;
//! - [`kube`]: the GPU Operator path, through node label `nvidia.com/mig.config`;
//! - [`command`]: an operator-configured command (argv, no shell, with a timeout);
//! - [`embedded`]: one that runs in the host process, handed in at set-up
//!   (the demo fleet's node agent);
//! - [`any`]: whichever of these is configured.

pub mod any;
pub mod command;
pub mod embedded;
pub mod kube;
pub mod mig_parted;

use std::error::Error;
use std::future::Future;

use super::request::MigRequest;

/// How far a layout has got on its node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplyStatus {
    /// Not done yet; the text says what the node reports ("pending", "rebooting").
    Pending(String),
    /// The GPUs hold the layout.
    Success,
    /// The node gave up; the text says why. The layout is then unknown and
    /// should be read again from telemetry.
    Failed(String),
}

/// Applies MIG layouts.
pub trait Executor {
    /// The executor's error: names the node and what failed; a failed
    /// step keeps it as its cause.
    type Error: Error + Send + Sync + 'static;

    /// Start applying `request`; returns once the change is requested (or
    /// done, for executors that apply synchronously).
    fn apply(&self, request: &MigRequest) -> impl Future<Output = Result<(), Self::Error>> + Send;

    /// Where `request` stands on its node now.
    fn status(
        &self,
        request: &MigRequest,
    ) -> impl Future<Output = Result<ApplyStatus, Self::Error>> + Send;
}
