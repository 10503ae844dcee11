//! The configuration file: its TOML shape and the typed configuration the
//! host runs with. Every table follows one convention: a private file shape
//! (`deny_unknown_fields`, values kept with their place in the file) that
//! resolves (`resolve::Resolve`) into the typed configuration its runtime
//! module owns. Every problem found is reported, each naming the file, the
//! key, and the line.
//!
//! A file names the backends Fulcrum manages (`[bigip]`, `[gce]`), where
//! telemetry comes from (`[[telemetry]]`), operator-given demand signals
//! (`[[signals]]`), the guard rails (`[guard]`), how MIG layouts are applied
//! (`[mig]`), how the engine runs (`[engine]`), replicas on etcd (`[ha]`)
//! and the policies (`[[policies]]`, with their `[[policies.grant]]`). A file with no backend
//! runs the policies on the embedded simulated fleet (`[fleet]`). Each
//! table's module shows it; see also `examples/`.
//!
//! - `problem`: [`Problem`], [`ConfigError`];
//! - `resolve`: the `Resolve` trait and the context every table resolves in;
//! - one module per table; `secret` for passwords, `templates` for the
//!   telemetry templates' checks.

mod bigip;
mod engine;
mod fleet;
mod gce;
mod grant;
mod guard;
mod ha;
mod mig;
mod policy;
mod problem;
mod resolve;
mod secret;
mod signals;
mod telemetry;
mod templates;

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

pub use bigip::{BigIpAuth, BigIpConfig};
pub use engine::EngineSettings;
pub use gce::{GceConfig, GroupConfig};
pub use guard::GuardTable;
pub use policy::{PolicyConfig, PolicyMode};
pub use problem::{ConfigError, Problem};
pub use resolve::line_of;
pub use secret::Secret;
pub use signals::SignalConfig;

use self::problem::Problems;
use self::resolve::Resolver;
use crate::actuators::mig::config::MigConfig;
use crate::guard::GuardRails;
use crate::ha::HaConfig;
use crate::sim::FleetConfig;
use crate::sources::TelemetryConfig;

/// What `host run --config FILE` runs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    pub engine: EngineSettings,
    /// The embedded simulated fleet; used when no backend is configured.
    pub fleet: FleetConfig,
    pub bigip: Option<BigIpConfig>,
    pub gce: Option<GceConfig>,
    pub telemetry: Vec<TelemetryConfig>,
    pub signals: Vec<SignalConfig>,
    pub guard: GuardRails,
    /// How MIG layouts are applied; `None` applies none.
    pub mig: Option<MigConfig>,
    /// Replicas electing a leader on etcd; `None` runs alone.
    pub ha: Option<HaConfig>,
    /// Policies in configuration order (conflicts go by priority, then order).
    pub policies: Vec<PolicyConfig>,
}

impl RunConfig {
    /// True when the file names no backend, so the embedded fleet stands in.
    pub fn is_embedded(&self) -> bool {
        self.bigip.is_none() && self.gce.is_none()
    }
}

/// The whole file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    engine: Option<Spanned<engine::EngineToml>>,
    fleet: Option<Spanned<fleet::FleetToml>>,
    bigip: Option<Spanned<bigip::BigIpToml>>,
    gce: Option<Spanned<gce::GceToml>>,
    #[serde(default)]
    telemetry: Vec<Spanned<telemetry::TelemetryToml>>,
    #[serde(default)]
    signals: Vec<Spanned<signals::SignalToml>>,
    guard: Option<Spanned<guard::GuardToml>>,
    mig: Option<Spanned<mig::MigToml>>,
    ha: Option<Spanned<ha::HaToml>>,
    #[serde(default)]
    policies: Vec<Spanned<policy::PolicyToml>>,
}

impl RunConfig {
    /// Read and check `path`; relative paths inside are relative to its directory.
    pub fn load(path: &Path) -> Result<RunConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            file: path.to_owned(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        RunConfig::parse(&text, base).map_err(|problems| ConfigError::Invalid {
            file: path.to_owned(),
            problems,
        })
    }

    /// Parse `text`, resolving relative paths against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<RunConfig, Vec<Problem>> {
        let cx = Resolver::new(text, base);
        let file: FileToml = toml::from_str(text).map_err(|err| {
            let line = err.span().map(|span| cx.line(span.start));
            vec![Problem::toml(&err, line)]
        })?;
        let mut problems = Problems::default();
        let p = &mut problems;
        let engine = file.engine.map(|t| cx.table("engine", t, p));
        let fleet = file.fleet.map(|t| cx.table("fleet", t, p));
        let bigip = file.bigip.and_then(|t| cx.table("bigip", t, p));
        let gce = file.gce.map(|t| cx.table("gce", t, p));
        let telemetry = cx.tables("telemetry", file.telemetry, p);
        let signals = cx.tables("signals", file.signals, p);
        let guard = file.guard.map(|t| cx.table("guard", t, p));
        let mig = file.mig.map(|t| cx.table("mig", t, p));
        let ha = file.ha.and_then(|t| cx.table("ha", t, p));
        let policies = cx.tables("policies", file.policies, p);
        let engine = engine.unwrap_or_default();
        if ha.is_some() && engine.state_dir.is_none() {
            problems.push(Problem {
                key: "ha".to_owned(),
                line: None,
                message: "replicas need engine.state_dir: each keeps its audit log there"
                    .to_owned(),
            });
        }
        problems.finish(RunConfig {
            engine,
            fleet: fleet.unwrap_or_default(),
            bigip,
            gce,
            telemetry,
            signals,
            guard: guard.unwrap_or_default(),
            mig,
            ha,
            policies,
        })
    }
}

#[cfg(test)]
mod tests;
