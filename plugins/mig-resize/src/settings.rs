//! [`Settings`]: the operator's knobs, parsed from the policy's JSON settings;
//! every key optional, unknown keys rejected, every error named
//! (`settings.busy_threshold: 2 is out of range; expected 0..=1`).

use serde::Deserialize;

/// How the policy judges GPUs and how much it changes per cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// A GPU or MIG instance with activity above this (0..=1) is busy and
    /// is not reconfigured.
    pub busy_threshold: f32,
    /// Most GPUs reconfigured per cycle, 1..=64.
    pub max_gpus_per_cycle: u32,
    /// Demand signals are named this prefix and a profile name; not empty.
    pub signal_prefix: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            busy_threshold: 0.05,
            max_gpus_per_cycle: 1,
            signal_prefix: "mig-demand/".into(),
        }
    }
}

/// The settings as the operator writes them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsJson {
    busy_threshold: Option<f64>,
    max_gpus_per_cycle: Option<u64>,
    signal_prefix: Option<String>,
}

impl Settings {
    /// Parse and validate the JSON settings; every error is reported, joined by "; ".
    pub fn parse(text: &str) -> Result<Settings, String> {
        let SettingsJson {
            busy_threshold,
            max_gpus_per_cycle,
            signal_prefix,
        } = serde_json::from_str(text).map_err(|error| format!("settings: {error}"))?;
        let defaults = Settings::default();
        let mut errors = Vec::new();
        let busy_threshold = match busy_threshold {
            None => defaults.busy_threshold,
            Some(value) if (0.0..=1.0).contains(&value) => value as f32,
            Some(value) => {
                errors.push(format!(
                    "settings.busy_threshold: {value} is out of range; expected 0..=1"
                ));
                defaults.busy_threshold
            }
        };
        let max_gpus_per_cycle = match max_gpus_per_cycle {
            None => defaults.max_gpus_per_cycle,
            Some(value @ 1..=64) => value as u32,
            Some(value) => {
                errors.push(format!(
                    "settings.max_gpus_per_cycle: {value} is out of range; expected 1..=64"
                ));
                defaults.max_gpus_per_cycle
            }
        };
        let signal_prefix = match signal_prefix {
            None => defaults.signal_prefix,
            Some(prefix) if prefix.is_empty() => {
                errors.push(
                    "settings.signal_prefix: empty; every signal would count as demand".into(),
                );
                defaults.signal_prefix
            }
            Some(prefix) => prefix,
        };
        if errors.is_empty() {
            Ok(Settings {
                busy_threshold,
                max_gpus_per_cycle,
                signal_prefix,
            })
        } else {
            Err(errors.join("; "))
        }
    }
}
