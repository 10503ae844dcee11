//! [`AnyExecutor`]: the executor the configuration chose, behind one type
//! the rollouts can be driven with.

use super::command::{CommandError, CommandExecutor};
use super::embedded::{EmbeddedError, EmbeddedExecutor};
use super::kube::{KubeError, KubeExecutor};
use super::{ApplyStatus, Executor};
use crate::actuators::mig::request::MigRequest;

/// One of the executors.
#[derive(Debug, Clone)]
pub enum AnyExecutor {
    /// The GPU Operator's node label.
    Kubernetes(KubeExecutor),
    /// An operator-configured command.
    Command(CommandExecutor),
    /// One the host embeds (the demo fleet's node agent).
    Embedded(EmbeddedExecutor),
}

/// The error of whichever executor is configured.
#[derive(Debug, thiserror::Error)]
pub enum AnyExecutorError {
    #[error(transparent)]
    Kubernetes(#[from] KubeError),
    #[error(transparent)]
    Command(#[from] CommandError),
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
}

impl Executor for AnyExecutor {
    type Error = AnyExecutorError;

    async fn apply(&self, request: &MigRequest) -> Result<(), AnyExecutorError> {
        match self {
            AnyExecutor::Kubernetes(e) => e.apply(request).await?,
            AnyExecutor::Command(e) => e.apply(request).await?,
            AnyExecutor::Embedded(e) => e.apply(request).await?,
        }
        Ok(())
    }

    async fn status(&self, request: &MigRequest) -> Result<ApplyStatus, AnyExecutorError> {
        Ok(match self {
            AnyExecutor::Kubernetes(e) => e.status(request).await?,
            AnyExecutor::Command(e) => e.status(request).await?,
            AnyExecutor::Embedded(e) => e.status(request).await?,
        })
    }
}
