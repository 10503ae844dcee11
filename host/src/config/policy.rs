//! `[[policies]]`: a policy component, how it runs, and what it may change.
//!
//! ```toml
//! [[policies]]
//! path = "gpu_weighting.wasm"
//! mode = "live"               # or "shadow": evaluated and compared, never applied
//! sha256 = "9f2c…"            # optional pin: a different file is refused
//! priority = 10               # higher wins a contested target; default 0
//! interval_ms = 5000          # default: the engine's interval
//! deadline_ms = 100
//! memory_mib = 64
//! state_quota_kib = 64
//! [policies.settings]         # handed to the policy's `configure`
//! max_ratio = 100
//! [policies.sandbox]          # beyond the empty sandbox; all off by default
//! clocks = false
//! random = false
//! data_dir = "policy-data"    # read-only
//! [[policies.grant]]          # what it may change; nothing by default (see `grant`)
//! actions = ["member-ratio", "member-state"]
//! pools = ["mlPool"]
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::grant::GrantToml;
use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use crate::guard::Grants;
use crate::runtime::{Capabilities, Limits, LimitsSet, PolicySpec};

/// `[[policies]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyToml {
    path: PathBuf,
    #[serde(default)]
    mode: PolicyMode,
    sha256: Option<Spanned<String>>,
    priority: Option<i32>,
    interval_ms: Option<Spanned<u64>>,
    deadline_ms: Option<Spanned<u64>>,
    memory_mib: Option<Spanned<u64>>,
    state_quota_kib: Option<Spanned<u64>>,
    #[serde(default)]
    settings: toml::Table,
    #[serde(default)]
    sandbox: SandboxToml,
    #[serde(default)]
    grant: Vec<Spanned<GrantToml>>,
}

/// `[policies.sandbox]`: what the policy may reach beyond the empty sandbox.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SandboxToml {
    #[serde(default)]
    clocks: bool,
    #[serde(default)]
    random: bool,
    data_dir: Option<Spanned<PathBuf>>,
}

/// Whether a policy's decisions are applied.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyMode {
    /// Its accepted decisions are applied.
    #[default]
    Live,
    /// Evaluated every cycle on the live snapshot, in the same sandbox and
    /// limits, its decisions held to the guard and compared with what is
    /// applied; it is granted nothing, and nothing of it is ever applied.
    Shadow,
}

/// One configured policy.
#[derive(Debug, Clone)]
pub struct PolicyConfig {
    pub spec: PolicySpec,
    pub mode: PolicyMode,
    /// The component's expected sha256 (lowercase hex), when pinned.
    pub sha256: Option<String>,
    /// Higher wins a target two policies both change.
    pub priority: i32,
    /// How often it is evaluated; `None` runs it every engine cycle.
    pub interval: Option<Duration>,
    pub grants: Grants,
}

impl PolicyConfig {
    /// A policy given on the command line: default limits, no sandbox
    /// grants, and every action kind it declares granted on every target.
    pub fn from_command_line(path: PathBuf) -> PolicyConfig {
        PolicyConfig {
            spec: PolicySpec::new(path),
            mode: PolicyMode::Live,
            sha256: None,
            priority: 0,
            interval: None,
            grants: Grants::everything(),
        }
    }

    /// A shadow policy given on the command line (`--shadow`).
    pub fn shadow_from_command_line(path: PathBuf) -> PolicyConfig {
        PolicyConfig {
            mode: PolicyMode::Shadow,
            grants: Grants::default(),
            ..PolicyConfig::from_command_line(path)
        }
    }
}

impl Resolve for PolicyToml {
    type Output = PolicyConfig;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> PolicyConfig {
        let defaults = Limits::default();
        let limits_set = LimitsSet {
            deadline: self.deadline_ms.is_some(),
            memory: self.memory_mib.is_some(),
        };
        let limits = Limits {
            deadline: Duration::from_millis(cx.in_range(
                "deadline_ms",
                self.deadline_ms,
                1..=60_000,
                defaults.deadline.as_millis() as u64,
                problems,
            )),
            memory_bytes: cx.in_range(
                "memory_mib",
                self.memory_mib,
                1..=Limits::MAX_MEMORY_BYTES >> 20,
                defaults.memory_bytes >> 20,
                problems,
            ) << 20,
            state_quota_bytes: cx.in_range(
                "state_quota_kib",
                self.state_quota_kib,
                1..=64 * 1024,
                defaults.state_quota_bytes >> 10,
                problems,
            ) << 10,
        };
        let interval = self.interval_ms.is_some().then(|| {
            Duration::from_millis(cx.in_range(
                "interval_ms",
                self.interval_ms,
                100..=86_400_000,
                1_000,
                problems,
            ))
        });
        let sha256 = self.sha256.and_then(|pin| {
            let digest = pin.get_ref().to_ascii_lowercase();
            if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                Some(digest)
            } else {
                problems.push(cx.problem("sha256", &pin, "expected 64 hexadecimal digits"));
                None
            }
        });
        let data_dir = self.sandbox.data_dir.map(|written| {
            let dir = cx.path(written.get_ref());
            if !dir.is_dir() {
                problems.push(cx.problem(
                    "sandbox.data_dir",
                    &written,
                    format_args!("{} is not a directory", dir.display()),
                ));
            }
            dir
        });
        let settings = serde_json::to_value(&self.settings).unwrap_or_else(|err| {
            problems.push(cx.here(
                "settings",
                format_args!("cannot be passed to the policy: {err}"),
            ));
            serde_json::Value::Null
        });
        let grants: Grants = cx
            .tables("grant", self.grant, problems)
            .into_iter()
            .collect();
        PolicyConfig {
            spec: PolicySpec {
                path: cx.path(&self.path),
                settings,
                limits,
                limits_set,
                capabilities: Capabilities {
                    clocks: self.sandbox.clocks,
                    random: self.sandbox.random,
                    data_dir,
                },
            },
            mode: self.mode,
            sha256,
            priority: self.priority.unwrap_or(0),
            interval,
            // A shadow is granted nothing, whatever its tables say.
            grants: match self.mode {
                PolicyMode::Live => grants,
                PolicyMode::Shadow => Grants::default(),
            },
        }
    }
}
