//! [`MigConfig`]: how the host applies MIG layouts and how long a rollout
//! waits, as the `[mig]` table of the configuration file gives it (its shape
//! and checks live in `config::mig`); and the executor it names, made at
//! start-up ([`MigConfig::executor`]).

use std::time::Duration;

use super::executor::any::AnyExecutor;
use super::executor::command::{CommandConfig, CommandError, CommandExecutor};
use super::executor::embedded::EmbeddedExecutor;
use super::executor::kube::{KubeConfig, KubeError, KubeExecutor};
use super::rollout::RolloutConfig;
use super::rollouts::RolloutSettings;

/// How MIG layouts are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct MigConfig {
    /// Which executor applies layouts.
    pub executor: ExecutorConfig,
    /// Activity ratio (0..=1) at or below which a GPU or MIG instance is idle.
    pub idle_threshold: f32,
    /// Longest wait for drained GPUs to go idle.
    pub idle_timeout: Duration,
    /// Longest wait for the executor to confirm a layout.
    pub confirm_timeout: Duration,
}

/// The executor that applies layouts.
#[derive(Debug, Clone, PartialEq)]
pub enum ExecutorConfig {
    /// Node label `nvidia.com/mig.config` through the Kubernetes API.
    Kubernetes(KubeConfig),
    /// A command per layout (see `actuators::mig::executor::command` for placeholders).
    Command(CommandConfig),
    /// The executor handed to the host at set-up (the demo fleet's node agent).
    Embedded,
}

/// Why the configured executor could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExecutorSetupError {
    #[error("mig.executor: {0}")]
    Kubernetes(#[source] KubeError),
    #[error("mig.executor: {0}")]
    Command(#[source] CommandError),
    #[error("mig.executor: kind \"embedded\" runs only on the embedded fleet")]
    NoEmbedded,
}

impl MigConfig {
    /// The embedded fleet's agent with the default waits: the demo's.
    pub fn embedded() -> MigConfig {
        let settings = RolloutSettings::default();
        MigConfig {
            executor: ExecutorConfig::Embedded,
            idle_threshold: settings.idle_threshold,
            idle_timeout: Duration::from_millis(settings.rollout.idle_timeout_ms),
            confirm_timeout: Duration::from_millis(settings.rollout.confirm_timeout_ms),
        }
    }

    /// The rollouts' timeouts and idle threshold.
    pub fn settings(&self) -> RolloutSettings {
        let millis = |wait: Duration| u64::try_from(wait.as_millis()).unwrap_or(u64::MAX);
        RolloutSettings {
            rollout: RolloutConfig {
                idle_timeout_ms: millis(self.idle_timeout),
                confirm_timeout_ms: millis(self.confirm_timeout),
            },
            idle_threshold: self.idle_threshold,
        }
    }

    /// The configured executor; `embedded` is the one handed in at set-up
    /// (the demo fleet's agent), which `ExecutorConfig::Embedded` needs.
    pub fn executor(
        &self,
        embedded: Option<EmbeddedExecutor>,
    ) -> Result<AnyExecutor, ExecutorSetupError> {
        match &self.executor {
            ExecutorConfig::Kubernetes(config) => KubeExecutor::new(config)
                .map(AnyExecutor::Kubernetes)
                .map_err(ExecutorSetupError::Kubernetes),
            ExecutorConfig::Command(config) => CommandExecutor::new(config.clone())
                .map(AnyExecutor::Command)
                .map_err(ExecutorSetupError::Command),
            ExecutorConfig::Embedded => embedded
                .map(AnyExecutor::Embedded)
                .ok_or(ExecutorSetupError::NoEmbedded),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_config_waits_the_default_times() {
        assert_eq!(MigConfig::embedded().settings(), RolloutSettings::default());
    }

    #[test]
    fn executors_are_made_from_their_config() {
        let command = MigConfig {
            executor: ExecutorConfig::Command(CommandConfig {
                apply: vec!["true".into()],
                verify: Vec::new(),
                config_dir: "/tmp".into(),
                timeout: Duration::from_secs(300),
            }),
            ..MigConfig::embedded()
        };
        assert!(matches!(
            command.executor(None),
            Ok(AnyExecutor::Command(_))
        ));
        let err = MigConfig::embedded().executor(None).unwrap_err();
        assert!(err.to_string().contains("embedded fleet"), "{err}");
    }
}
