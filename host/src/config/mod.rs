//! The configuration file: its TOML shape (private, `deny_unknown_fields`)
//! and the typed configuration the host runs with. Every problem found is
//! reported, each naming the file, the key and the reason.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::runtime::{Capabilities, Limits, PolicySpec};
use crate::sim::FleetConfig;

/// What `host run --config FILE` runs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The embedded simulated fleet.
    pub fleet: FleetConfig,
    /// Policies in priority order (the first listed wins a conflict).
    pub policies: Vec<PolicySpec>,
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
    fleet: Option<FleetToml>,
    #[serde(default)]
    policies: Vec<PolicyToml>,
}

/// `[fleet]`: the embedded simulated fleet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetToml {
    nodes: Option<u64>,
    gpus_per_node: Option<u64>,
    offered_load_rps: Option<f64>,
    step_secs: Option<f64>,
    #[serde(default)]
    faults: Option<bool>,
}

/// `[[policies]]`: one policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyToml {
    path: PathBuf,
    deadline_ms: Option<u64>,
    memory_mib: Option<u64>,
    state_quota_kib: Option<u64>,
    #[serde(default)]
    settings: toml::Table,
    #[serde(default)]
    grants: GrantsToml,
}

/// `[policies.grants]`: what the policy may reach beyond the empty sandbox.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantsToml {
    #[serde(default)]
    clocks: bool,
    #[serde(default)]
    random: bool,
    data_dir: Option<PathBuf>,
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
        let mut problems = Vec::new();
        let fleet = fleet_config(file.fleet, &mut problems);
        let policies = file
            .policies
            .into_iter()
            .enumerate()
            .map(|(i, p)| policy_spec(i, p, base, &mut problems))
            .collect();
        if problems.is_empty() {
            Ok(RunConfig { fleet, policies })
        } else {
            Err(problems)
        }
    }
}

fn toml_problem(err: &toml::de::Error) -> String {
    // toml's message carries the line, column and the offending key.
    err.to_string().trim_end().replace('\n', "\n    ")
}

fn in_range<T: PartialOrd + fmt::Display + Copy>(
    key: &str,
    value: Option<T>,
    range: std::ops::RangeInclusive<T>,
    default: T,
    problems: &mut Vec<String>,
) -> T {
    match value {
        Some(v) if range.contains(&v) => v,
        Some(v) => {
            problems.push(format!(
                "{key}: {v} is out of range; expected {}..={}",
                range.start(),
                range.end()
            ));
            default
        }
        None => default,
    }
}

fn fleet_config(fleet: Option<FleetToml>, problems: &mut Vec<String>) -> FleetConfig {
    let default = FleetConfig::default();
    let Some(f) = fleet else { return default };
    let FleetToml {
        nodes,
        gpus_per_node,
        offered_load_rps,
        step_secs,
        faults,
    } = f;
    FleetConfig {
        nodes: in_range(
            "fleet.nodes",
            nodes,
            1..=100_000,
            default.nodes as u64,
            problems,
        ) as usize,
        gpus_per_node: in_range(
            "fleet.gpus_per_node",
            gpus_per_node,
            1..=16,
            default.gpus_per_node as u64,
            problems,
        ) as usize,
        offered_load_rps: in_range(
            "fleet.offered_load_rps",
            offered_load_rps,
            0.0..=1e9,
            default.offered_load_rps,
            problems,
        ),
        step_s: in_range(
            "fleet.step_secs",
            step_secs,
            0.1..=3600.0,
            default.step_s,
            problems,
        ),
        faults: if faults.unwrap_or(true) {
            default.faults
        } else {
            Vec::new()
        },
    }
}

fn policy_spec(index: usize, p: PolicyToml, base: &Path, problems: &mut Vec<String>) -> PolicySpec {
    let key = |k: &str| format!("policies[{index}].{k}");
    let PolicyToml {
        path,
        deadline_ms,
        memory_mib,
        state_quota_kib,
        settings,
        grants,
    } = p;
    let GrantsToml {
        clocks,
        random,
        data_dir,
    } = grants;
    let defaults = Limits::default();
    let limits = Limits {
        deadline: Duration::from_millis(in_range(
            &key("deadline_ms"),
            deadline_ms,
            1..=60_000,
            defaults.deadline.as_millis() as u64,
            problems,
        )),
        memory_bytes: in_range(
            &key("memory_mib"),
            memory_mib,
            1..=Limits::MAX_MEMORY_BYTES >> 20,
            defaults.memory_bytes >> 20,
            problems,
        ) << 20,
        state_quota_bytes: in_range(
            &key("state_quota_kib"),
            state_quota_kib,
            1..=64 * 1024,
            defaults.state_quota_bytes >> 10,
            problems,
        ) << 10,
    };
    let data_dir = data_dir.map(|dir| base.join(dir));
    if let Some(dir) = &data_dir
        && !dir.is_dir()
    {
        problems.push(format!(
            "{}: {} is not a directory",
            key("grants.data_dir"),
            dir.display()
        ));
    }
    let settings = match serde_json::to_value(&settings) {
        Ok(value) => value,
        Err(err) => {
            problems.push(format!(
                "{}: cannot be passed to the policy: {err}",
                key("settings")
            ));
            serde_json::Value::Null
        }
    };
    PolicySpec {
        path: base.join(path),
        settings,
        limits,
        capabilities: Capabilities {
            clocks,
            random,
            data_dir,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_into_typed_config() {
        let text = r#"
            [fleet]
            nodes = 5
            gpus_per_node = 4
            [[policies]]
            path = "p.wasm"
            deadline_ms = 250
            memory_mib = 32
            [policies.settings]
            max_ratio = 80
            [policies.grants]
            clocks = true
        "#;
        let config = RunConfig::parse(text, Path::new("/etc/fulcrum")).unwrap();
        assert_eq!(config.fleet.nodes, 5);
        let policy = &config.policies[0];
        assert_eq!(policy.path, Path::new("/etc/fulcrum/p.wasm"));
        assert_eq!(policy.limits.deadline, Duration::from_millis(250));
        assert_eq!(policy.limits.memory_bytes, 32 << 20);
        assert_eq!(policy.settings["max_ratio"], 80);
        assert!(policy.capabilities.clocks && !policy.capabilities.random);
    }

    #[test]
    fn the_example_demo_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo.toml");
        let config = RunConfig::load(&path).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(config.fleet, FleetConfig::default());
        assert_eq!(config.policies.len(), 1);
        assert!(
            config.policies[0]
                .path
                .ends_with("target/wasm32-wasip2/plugin/gpu_weighting.wasm")
        );
        assert_eq!(config.policies[0].settings["max_ratio"], 100);
    }

    #[test]
    fn unknown_keys_are_errors_that_name_the_key_and_line() {
        let problems = RunConfig::parse(
            "[[policies]]\npath = \"p.wasm\"\ndeadline = 5\n",
            Path::new("."),
        )
        .unwrap_err();
        assert!(
            problems[0].contains("unknown field `deadline`"),
            "{problems:?}"
        );
        assert!(problems[0].contains("line 3"), "{problems:?}");
    }

    #[test]
    fn every_bad_value_is_reported() {
        let text = "[fleet]\nnodes = 0\n[[policies]]\npath = \"p.wasm\"\ndeadline_ms = 0\nmemory_mib = 4096\n";
        let problems = RunConfig::parse(text, Path::new(".")).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].starts_with("fleet.nodes: 0 is out of range"));
        assert!(problems[1].starts_with("policies[0].deadline_ms: 0 is out of range"));
        assert!(
            problems[2]
                .starts_with("policies[0].memory_mib: 4096 is out of range; expected 1..=1024")
        );
    }
}
