//! [`AnyExecutor`]: the executor the configuration chose, behind one type
//! the rollouts can be driven with.

use super::command::CommandExecutor;
use super::embedded::EmbeddedExecutor;
use super::kube::KubeExecutor;
use super::{ApplyStatus, Executor};
use crate::actuators::mig::request::MigRequest;
use crate::error_chain::with_causes;

/// One of the executors; errors are their messages.
#[derive(Debug, Clone)]
pub enum AnyExecutor {
    /// The GPU Operator's node label.
    Kubernetes(KubeExecutor),
    /// An operator-configured command.
    Command(CommandExecutor),
    /// One the host embeds (the demo fleet's node agent).
    Embedded(EmbeddedExecutor),
}

impl Executor for AnyExecutor {
    type Error = String;

    async fn apply(&self, request: &MigRequest) -> Result<(), String> {
        match self {
            AnyExecutor::Kubernetes(e) => e.apply(request).await.map_err(|e| with_causes(&e)),
            AnyExecutor::Command(e) => e.apply(request).await.map_err(|e| with_causes(&e)),
            AnyExecutor::Embedded(e) => e.apply(request).await,
        }
    }

    async fn status(&self, request: &MigRequest) -> Result<ApplyStatus, String> {
        match self {
            AnyExecutor::Kubernetes(e) => e.status(request).await.map_err(|e| with_causes(&e)),
            AnyExecutor::Command(e) => e.status(request).await.map_err(|e| with_causes(&e)),
            AnyExecutor::Embedded(e) => e.status(request).await,
        }
    }
}
