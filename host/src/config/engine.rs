//! `[engine]`, `[[signals]]` and `[fleet]`: how the control loop runs, the
//! demand signals the operator sets, and the embedded simulated fleet.
//!
//! ```toml
//! [engine]
//! interval_ms = 5000               # time between cycles
//! state_dir = "/var/lib/fulcrum"   # store: policy state, clocks, audit
//! audit_retention_hours = 168      # audit records older than this are dropped
//! metrics_listen = "127.0.0.1:9464"
//! quarantine_after = 5             # consecutive failures before a policy is benched
//!
//! [[signals]]
//! name = "queue-depth"
//! value = 250
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::fleet::FleetConfig;
use super::span::Source;

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

impl EngineToml {
    pub(super) fn resolve(
        self,
        base: &Path,
        source: &Source<'_>,
        problems: &mut Vec<String>,
    ) -> EngineSettings {
        let defaults = EngineSettings::default();
        let metrics_listen = self.metrics_listen.and_then(|listen| {
            listen
                .get_ref()
                .parse::<SocketAddr>()
                .map_err(|err| {
                    problems.push(source.problem(
                        "engine.metrics_listen",
                        &listen,
                        format_args!("{}: {err}; expected ADDRESS:PORT", listen.get_ref()),
                    ))
                })
                .ok()
        });
        EngineSettings {
            interval: Duration::from_millis(source.in_range(
                "engine.interval_ms",
                self.interval_ms,
                100..=86_400_000,
                defaults.interval.as_millis() as u64,
                problems,
            )),
            state_dir: self.state_dir.map(|dir| base.join(dir)),
            audit_retention: Duration::from_secs(
                3600 * source.in_range(
                    "engine.audit_retention_hours",
                    self.audit_retention_hours,
                    1..=876_000,
                    defaults.audit_retention.as_secs() / 3600,
                    problems,
                ),
            ),
            metrics_listen,
            quarantine_after: source.in_range(
                "engine.quarantine_after",
                self.quarantine_after,
                1..=1000,
                defaults.quarantine_after,
                problems,
            ),
        }
    }
}

/// `[[signals]]`: a demand signal with a value the operator sets.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalConfig {
    pub name: String,
    pub value: f64,
}

/// `[fleet]`: the embedded simulated fleet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetToml {
    nodes: Option<Spanned<u64>>,
    gpus_per_node: Option<Spanned<u64>>,
    offered_load_rps: Option<Spanned<f64>>,
    step_secs: Option<Spanned<f64>>,
    #[serde(default)]
    faults: Option<bool>,
}

pub(super) fn fleet_config(
    fleet: Option<FleetToml>,
    source: &Source<'_>,
    problems: &mut Vec<String>,
) -> FleetConfig {
    let default = FleetConfig::default();
    let Some(f) = fleet else { return default };
    FleetConfig {
        nodes: source.in_range(
            "fleet.nodes",
            f.nodes,
            1..=100_000,
            default.nodes as u64,
            problems,
        ) as usize,
        gpus_per_node: source.in_range(
            "fleet.gpus_per_node",
            f.gpus_per_node,
            1..=16,
            default.gpus_per_node as u64,
            problems,
        ) as usize,
        offered_load_rps: source.in_range(
            "fleet.offered_load_rps",
            f.offered_load_rps,
            0.0..=1e9,
            default.offered_load_rps,
            problems,
        ),
        step_s: source.in_range(
            "fleet.step_secs",
            f.step_secs,
            0.1..=3600.0,
            default.step_s,
            problems,
        ),
        faults: if f.faults.unwrap_or(true) {
            default.faults
        } else {
            Vec::new()
        },
    }
}
