//! `[engine]`: how the control loop runs.
//!
//! ```toml
//! [engine]
//! interval_ms = 5000               # time between cycles
//! state_dir = "/var/lib/fulcrum"   # store: policy state, clocks, audit
//! audit_retention_hours = 168      # audit records older than this are dropped
//! metrics_listen = "127.0.0.1:9464"
//! quarantine_after = 5             # consecutive failures before a policy is benched
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};

/// `[engine]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EngineToml {
    interval_ms: Option<Spanned<u64>>,
    state_dir: Option<PathBuf>,
    audit_retention_hours: Option<Spanned<u64>>,
    metrics_listen: Option<Spanned<String>>,
    quarantine_after: Option<Spanned<u32>>,
}

/// How the control loop runs.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineSettings {
    /// Time between cycles.
    pub interval: Duration,
    /// Where the store lives; `None` keeps state in memory only.
    pub state_dir: Option<PathBuf>,
    /// How long the store keeps an audit record.
    pub audit_retention: Duration,
    /// Where `/metrics` and `/healthz` are served; `None` serves nothing.
    pub metrics_listen: Option<SocketAddr>,
    /// Consecutive failed evaluations after which a policy is quarantined.
    pub quarantine_after: u32,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            interval: Duration::from_secs(5),
            state_dir: None,
            // A week: long enough to look back over an incident, short enough
            // that a large fleet's log (a record per cycle) stays bounded.
            audit_retention: Duration::from_secs(7 * 24 * 3600),
            metrics_listen: None,
            quarantine_after: 5,
        }
    }
}

impl Resolve for EngineToml {
    type Output = EngineSettings;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> EngineSettings {
        let defaults = EngineSettings::default();
        let metrics_listen = self.metrics_listen.and_then(|listen| {
            listen
                .get_ref()
                .parse::<SocketAddr>()
                .map_err(|err| {
                    problems.push(cx.problem(
                        "metrics_listen",
                        &listen,
                        format_args!("{}: {err}; expected ADDRESS:PORT", listen.get_ref()),
                    ))
                })
                .ok()
        });
        EngineSettings {
            interval: Duration::from_millis(cx.in_range(
                "interval_ms",
                self.interval_ms,
                100..=86_400_000,
                defaults.interval.as_millis() as u64,
                problems,
            )),
            state_dir: self.state_dir.map(|dir| cx.path(&dir)),
            audit_retention: Duration::from_secs(
                3600 * cx.in_range(
                    "audit_retention_hours",
                    self.audit_retention_hours,
                    1..=876_000,
                    defaults.audit_retention.as_secs() / 3600,
                    problems,
                ),
            ),
            metrics_listen,
            quarantine_after: cx.in_range(
                "quarantine_after",
                self.quarantine_after,
                1..=1000,
                defaults.quarantine_after,
                problems,
            ),
        }
    }
}
