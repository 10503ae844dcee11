//! `[mig]`: how the host applies MIG layouts and how long a rollout waits.
//!
//! ```toml
//! [mig]
//! idle_threshold = 0.05        # activity at or below which a drained GPU is idle
//! idle_timeout_ms = 600000     # longest wait for drained GPUs to go idle
//! confirm_timeout_ms = 900000  # longest wait for the executor to confirm
//! executor = { kind = "kubernetes", server = "http://127.0.0.1:8001" }
//! # or: { kind = "command", apply = ["ssh", "{node}", "nvidia-mig-parted", "apply",
//! #       "-f", "{config_file}", "-c", "{config_name}"], config_dir = "/var/lib/fulcrum/mig" }
//! # or: { kind = "embedded" }  (the executor handed in at set-up: the demo's node agent)
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::executor::any::AnyExecutor;
use super::executor::command::{CommandConfig, CommandExecutor};
use super::executor::embedded::EmbeddedExecutor;
use super::executor::kube::{KubeConfig, KubeExecutor};
use super::rollout::RolloutConfig;
use super::rollouts::RolloutSettings;

/// `[mig]` as written and as the host runs with it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigConfig {
    /// Which executor applies layouts.
    pub executor: ExecutorConfig,
    /// Activity ratio (0..=1) at or below which a GPU or MIG instance is idle.
    #[serde(default = "default_idle_threshold")]
    pub idle_threshold: f32,
    /// Longest wait for drained GPUs to go idle, ms.
    #[serde(default = "default_idle_timeout_ms")]
    pub idle_timeout_ms: u64,
    /// Longest wait for the executor to confirm a layout, ms.
    #[serde(default = "default_confirm_timeout_ms")]
    pub confirm_timeout_ms: u64,
}

/// `[mig].executor`, selected by `kind`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ExecutorConfig {
    /// Node label `nvidia.com/mig.config` through the Kubernetes API.
    Kubernetes {
        /// API server, `https://…`, or a `kubectl proxy`, `http://…`.
        server: String,
        /// Bearer token file; none for a proxy.
        token_file: Option<PathBuf>,
        /// The cluster's CA (PEM) for an `https://` server; default: the system roots.
        ca_file: Option<PathBuf>,
        /// Bound on each API request, ms.
        #[serde(default = "default_request_timeout_ms")]
        timeout_ms: u64,
    },
    /// A command per layout (see `actuators::mig::executor::command` for placeholders).
    Command {
        apply: Vec<String>,
        #[serde(default)]
        verify: Vec<String>,
        /// Where the mig-parted config files are written.
        config_dir: PathBuf,
        /// Longest a command may run, ms.
        #[serde(default = "default_command_timeout_ms")]
        timeout_ms: u64,
    },
    /// The executor handed to the host at set-up (the demo fleet's node agent).
    Embedded {},
}

fn default_idle_threshold() -> f32 {
    RolloutSettings::default().idle_threshold
}
fn default_idle_timeout_ms() -> u64 {
    RolloutConfig::default().idle_timeout_ms
}
fn default_confirm_timeout_ms() -> u64 {
    RolloutConfig::default().confirm_timeout_ms
}
fn default_request_timeout_ms() -> u64 {
    10_000
}
fn default_command_timeout_ms() -> u64 {
    300_000
}

impl MigConfig {
    /// The embedded fleet's agent with the default waits: the demo's.
    pub fn embedded() -> MigConfig {
        MigConfig {
            executor: ExecutorConfig::Embedded {},
            idle_threshold: default_idle_threshold(),
            idle_timeout_ms: default_idle_timeout_ms(),
            confirm_timeout_ms: default_confirm_timeout_ms(),
        }
    }

    /// Every problem with the values, each naming its key.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !(0.0..=1.0).contains(&self.idle_threshold) {
            problems.push(format!(
                "mig.idle_threshold: {} is out of range; expected 0..=1",
                self.idle_threshold
            ));
        }
        for (key, value) in [
            ("idle_timeout_ms", self.idle_timeout_ms),
            ("confirm_timeout_ms", self.confirm_timeout_ms),
        ] {
            if value == 0 {
                problems.push(format!("mig.{key}: 0; expected a wait of at least 1 ms"));
            }
        }
        if let ExecutorConfig::Command { apply, .. } = &self.executor
            && apply.is_empty()
        {
            problems
                .push("mig.executor.apply: empty; expected a program and its arguments".to_owned());
        }
        problems
    }

    /// The rollouts' timeouts and idle threshold.
    pub fn settings(&self) -> RolloutSettings {
        RolloutSettings {
            rollout: RolloutConfig {
                idle_timeout_ms: self.idle_timeout_ms,
                confirm_timeout_ms: self.confirm_timeout_ms,
            },
            idle_threshold: self.idle_threshold,
        }
    }

    /// The configured executor; `embedded` is the one handed in at set-up
    /// (the demo fleet's agent), which `kind = "embedded"` needs.
    pub fn executor(&self, embedded: Option<EmbeddedExecutor>) -> Result<AnyExecutor, String> {
        match &self.executor {
            ExecutorConfig::Kubernetes {
                server,
                token_file,
                ca_file,
                timeout_ms,
            } => KubeExecutor::new(&KubeConfig {
                server: server.clone(),
                token_file: token_file.clone(),
                ca_file: ca_file.clone(),
                timeout: Duration::from_millis(*timeout_ms),
            })
            .map(AnyExecutor::Kubernetes)
            .map_err(|err| format!("mig.executor: {err}")),
            ExecutorConfig::Command {
                apply,
                verify,
                config_dir,
                timeout_ms,
            } => CommandExecutor::new(CommandConfig {
                apply: apply.clone(),
                verify: verify.clone(),
                config_dir: config_dir.clone(),
                timeout: Duration::from_millis(*timeout_ms),
            })
            .map(AnyExecutor::Command)
            .map_err(|err| format!("mig.executor: {err}")),
            ExecutorConfig::Embedded {} => embedded.map(AnyExecutor::Embedded).ok_or_else(|| {
                "mig.executor: kind \"embedded\" runs only on the embedded fleet".to_owned()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct File {
        mig: MigConfig,
    }

    fn parse(text: &str) -> Result<MigConfig, String> {
        toml::from_str::<File>(text)
            .map(|f| f.mig)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn executors_with_defaults() {
        let config = parse(
            "[mig]\nexecutor = { kind = \"kubernetes\", server = \"http://127.0.0.1:8001\" }\n",
        )
        .unwrap();
        assert!(config.validate().is_empty());
        assert_eq!(config.settings(), RolloutSettings::default());
        assert_eq!(
            config.executor,
            ExecutorConfig::Kubernetes {
                server: "http://127.0.0.1:8001".into(),
                token_file: None,
                ca_file: None,
                timeout_ms: 10_000,
            }
        );
        let command = parse(
            "[mig]\nidle_threshold = 0.1\n\
             executor = { kind = \"command\", apply = [\"true\"], config_dir = \"/tmp\" }\n",
        )
        .unwrap();
        assert_eq!(command.settings().idle_threshold, 0.1);
        assert!(matches!(
            command.executor(None),
            Ok(AnyExecutor::Command(_))
        ));
    }

    #[test]
    fn unknown_keys_and_kinds_are_rejected() {
        let err = parse("[mig]\nexecutor = { kind = \"embedded\" }\nidle = 1\n").unwrap_err();
        assert!(err.contains("unknown field `idle`"), "{err}");
        let err = parse("[mig]\nexecutor = { kind = \"ssh\" }\n").unwrap_err();
        assert!(err.contains("unknown variant `ssh`"), "{err}");
        let err = parse("[mig]\nexecutor = { kind = \"embedded\", x = 1 }\n").unwrap_err();
        assert!(err.contains("x"), "{err}");
    }

    #[test]
    fn bad_values_are_all_named() {
        let config = parse(
            "[mig]\nidle_threshold = 2.0\nidle_timeout_ms = 0\n\
             executor = { kind = \"command\", apply = [], config_dir = \"/tmp\" }\n",
        )
        .unwrap();
        let problems = config.validate();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("mig.idle_threshold: 2 is out of range"));
        let err = parse("[mig]\nexecutor = { kind = \"embedded\" }\n")
            .unwrap()
            .executor(None)
            .unwrap_err();
        assert!(err.contains("embedded fleet"), "{err}");
    }
}
