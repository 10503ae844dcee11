//! `[mig]`: how the host applies MIG layouts and how long a rollout waits
//! ([`MigConfig`]).
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
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use crate::actuators::mig::config::{ExecutorConfig, MigConfig};
use crate::actuators::mig::executor::command::CommandConfig;
use crate::actuators::mig::executor::kube::KubeConfig;

/// `[mig]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MigToml {
    executor: Spanned<ExecutorToml>,
    idle_threshold: Option<Spanned<f32>>,
    idle_timeout_ms: Option<Spanned<u64>>,
    confirm_timeout_ms: Option<Spanned<u64>>,
}

/// `[mig].executor` as written, selected by `kind`.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum ExecutorToml {
    /// Node label `nvidia.com/mig.config` through the Kubernetes API.
    Kubernetes {
        /// API server, `https://…`, or a `kubectl proxy`, `http://…`.
        server: String,
        /// Bearer token file; none for a proxy.
        token_file: Option<PathBuf>,
        /// The cluster's CA (PEM) for an `https://` server; default: the system roots.
        ca_file: Option<PathBuf>,
        /// Bound on each API request, ms; default 10 s.
        timeout_ms: Option<u64>,
    },
    /// A command per layout (see `actuators::mig::executor::command` for placeholders).
    Command {
        apply: Vec<String>,
        #[serde(default)]
        verify: Vec<String>,
        /// Where the mig-parted config files are written.
        config_dir: PathBuf,
        /// Longest a command may run, ms; default 5 min.
        timeout_ms: Option<u64>,
    },
    /// The executor handed to the host at set-up (the demo fleet's node agent).
    Embedded {},
}

const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(300);

impl Resolve for MigToml {
    type Output = MigConfig;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> MigConfig {
        let defaults = MigConfig::embedded();
        let idle_threshold = cx.in_range(
            "idle_threshold",
            self.idle_threshold,
            0.0..=1.0,
            defaults.idle_threshold,
            problems,
        );
        let mut wait = |name: &str, value: Option<Spanned<u64>>, default: Duration| match value {
            Some(ms) if *ms.get_ref() == 0 => {
                problems.push(cx.problem(name, &ms, "0; expected a wait of at least 1 ms"));
                default
            }
            Some(ms) => Duration::from_millis(ms.into_inner()),
            None => default,
        };
        let idle_timeout = wait(
            "idle_timeout_ms",
            self.idle_timeout_ms,
            defaults.idle_timeout,
        );
        let confirm_timeout = wait(
            "confirm_timeout_ms",
            self.confirm_timeout_ms,
            defaults.confirm_timeout,
        );
        let executor = match self.executor.get_ref() {
            ExecutorToml::Kubernetes {
                server,
                token_file,
                ca_file,
                timeout_ms,
            } => ExecutorConfig::Kubernetes(KubeConfig {
                server: server.clone(),
                token_file: token_file.as_deref().map(|file| cx.path(file)),
                ca_file: ca_file.as_deref().map(|file| cx.path(file)),
                timeout: timeout_ms.map_or(DEFAULT_REQUEST_TIMEOUT, Duration::from_millis),
            }),
            ExecutorToml::Command {
                apply,
                verify,
                config_dir,
                timeout_ms,
            } => {
                if apply.is_empty() {
                    problems.push(cx.problem(
                        "executor.apply",
                        &self.executor,
                        "empty; expected a program and its arguments",
                    ));
                }
                ExecutorConfig::Command(CommandConfig {
                    apply: apply.clone(),
                    verify: verify.clone(),
                    config_dir: cx.path(config_dir),
                    timeout: timeout_ms.map_or(DEFAULT_COMMAND_TIMEOUT, Duration::from_millis),
                })
            }
            ExecutorToml::Embedded {} => ExecutorConfig::Embedded,
        };
        MigConfig {
            executor,
            idle_threshold,
            idle_timeout,
            confirm_timeout,
        }
    }
}
