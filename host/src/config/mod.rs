//! The configuration file: its TOML shape (`deny_unknown_fields` throughout)
//! and the typed configuration the host runs with. Every problem found is
//! reported, each naming the file, the key, and the line where the file
//! gives one.
//!
//! A file names the backends Fulcrum manages (`[bigip]`, `[gce]`), where
//! telemetry comes from (`[[telemetry]]`), operator-given demand signals
//! (`[[signals]]`), the guard rails (`[guard]`), how MIG layouts are applied
//! (`[mig]`), how the engine runs
//! (`[engine]`) and the policies (`[[policies]]`). A file with no backend runs
//! the policies on the embedded simulated fleet (`[fleet]`). See `examples/`.

mod backends;
mod engine;
mod fleet;
mod policy;
mod secret;
mod span;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use backends::{BigIpAuth, BigIpConfig, GceConfig, GceCredentials, GroupConfig};
pub use engine::{EngineSettings, FleetToml, SignalConfig};
pub use fleet::{FleetConfig, NodeFault};
pub use policy::{PolicyConfig, PolicyMode};
pub use secret::{Secret, SecretSource};

use crate::actuators::mig::config::MigConfig;
use crate::guard::GuardRails;
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
    /// Policies in configuration order (conflicts go by priority, then order).
    pub policies: Vec<PolicyConfig>,
}

impl RunConfig {
    /// True when the file names no backend, so the embedded fleet stands in.
    pub fn is_embedded(&self) -> bool {
        self.bigip.is_none() && self.gce.is_none()
    }
}

/// Everything wrong with one configuration file.
#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match self.problems.as_slice() {
            [one] => write!(f, "{file}: {one}"),
            many => {
                write!(f, "{file}: {} problems", many.len())?;
                many.iter().try_for_each(|p| write!(f, "\n  {file}: {p}"))
            }
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    #[serde(default)]
    engine: engine::EngineToml,
    fleet: Option<FleetToml>,
    bigip: Option<backends::BigIpToml>,
    gce: Option<backends::GceToml>,
    #[serde(default)]
    telemetry: Vec<TelemetryConfig>,
    #[serde(default)]
    signals: Vec<SignalConfig>,
    #[serde(default)]
    guard: GuardRails,
    mig: Option<MigConfig>,
    #[serde(default)]
    policies: Vec<policy::PolicyToml>,
}

impl RunConfig {
    /// Read and validate `path`; relative paths inside are relative to its directory.
    pub fn load(path: &Path) -> Result<RunConfig, ConfigError> {
        let error = |problems| ConfigError {
            file: path.to_owned(),
            problems,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|err| error(vec![format!("cannot read: {err}")]))?;
        let base = path.parent().unwrap_or(Path::new("."));
        RunConfig::parse(&text, base).map_err(error)
    }

    /// Parse `text`, resolving relative paths against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<RunConfig, Vec<String>> {
        let file: FileToml = toml::from_str(text).map_err(|err| vec![toml_problem(&err)])?;
        let source = span::Source::new(text);
        let mut problems = Vec::new();
        let engine = file.engine.resolve(base, &source, &mut problems);
        let fleet = engine::fleet_config(file.fleet, &source, &mut problems);
        let bigip = file.bigip.and_then(|b| b.resolve(base, &mut problems));
        let gce = file.gce.map(|g| g.resolve(base, &mut problems));
        for (i, telemetry) in file.telemetry.iter().enumerate() {
            problems.extend(telemetry.check(&format!("telemetry[{i}]")));
        }
        if let Some(mig) = &file.mig {
            problems.extend(mig.validate());
        }
        if let Err(errors) = file.guard.validate() {
            problems.extend(errors);
        }
        let policies = file
            .policies
            .into_iter()
            .enumerate()
            .map(|(i, p)| p.resolve(i, base, &source, &mut problems))
            .collect();
        if problems.is_empty() {
            Ok(RunConfig {
                engine,
                fleet,
                bigip,
                gce,
                telemetry: file.telemetry,
                signals: file.signals,
                guard: file.guard,
                mig: file.mig,
                policies,
            })
        } else {
            Err(problems)
        }
    }
}

fn toml_problem(err: &toml::de::Error) -> String {
    // toml's message carries the line, column and the offending key.
    err.to_string().trim_end().replace('\n', "\n    ")
}

#[cfg(test)]
mod tests;
