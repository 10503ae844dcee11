//! [`Settings`]: the operator's knobs, parsed from the policy's JSON settings.
//!
//! `SettingsJson` is the file shape (every key optional, unknown keys
//! rejected); [`Settings`] is the validated, typed result. Errors name the
//! setting: `settings.max_ratio: 0 is out of range; expected 1..=65535`.

use serde::Deserialize;
use serde_json::{Map, Value};

/// How the policy weighs GPUs and turns the result into ratios.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Weight of free GPU memory in a GPU's score, 0..=1.
    pub memory_weight: f32,
    /// Weight of idle compute (1 − utilisation) in a GPU's score, 0..=1.
    pub compute_weight: f32,
    /// Ratio of a member whose GPUs are all busy, 1..=65535.
    pub min_ratio: u32,
    /// Ratio of a member whose GPUs are all idle, above `min_ratio`.
    pub max_ratio: u32,
    /// A GPU at or above this temperature (°C) is hot.
    pub hot_temperature_c: f32,
    /// Fraction taken off a hot GPU's score, 0..=1.
    pub hot_penalty: f32,
    /// Fraction taken off a throttled GPU's score, 0..=1.
    pub throttle_penalty: f32,
    /// Weight of the previous smoothed ratio in the moving average, 0 ≤ s < 1;
    /// 0 applies each cycle's target at once.
    pub smoothing: f32,
    /// Disable members on unhealthy nodes, and enable them again once healthy.
    pub disable_unhealthy: bool,
    /// Share of a node's GPUs, 0..=1, that must be healthy for its member to
    /// keep serving; the member of a node with some GPUs unhealthy but at
    /// least this share healthy stays enabled, its ratio scaled by the
    /// healthy share. 1 (the default) disables on any unhealthy GPU.
    pub min_healthy_share: f32,
    /// The pools to manage by name; `None` manages every pool.
    pub pools: Option<Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            memory_weight: 0.5,
            compute_weight: 0.5,
            min_ratio: 1,
            max_ratio: 100,
            hot_temperature_c: 83.0,
            hot_penalty: 0.5,
            throttle_penalty: 0.3,
            smoothing: 0.5,
            disable_unhealthy: true,
            min_healthy_share: 1.0,
            pools: None,
        }
    }
}

/// The settings as the operator writes them: a JSON object, every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsJson {
    memory_weight: Option<f64>,
    compute_weight: Option<f64>,
    min_ratio: Option<u64>,
    max_ratio: Option<u64>,
    hot_temperature_c: Option<f64>,
    hot_penalty: Option<f64>,
    throttle_penalty: Option<f64>,
    smoothing: Option<f64>,
    disable_unhealthy: Option<bool>,
    min_healthy_share: Option<f64>,
    pools: Option<Vec<String>>,
}

impl Settings {
    /// Parse and validate the JSON settings; every range error is reported,
    /// joined by "; ".
    pub fn parse(text: &str) -> Result<Settings, String> {
        let json = parse_json(text)?;
        let SettingsJson {
            memory_weight,
            compute_weight,
            min_ratio,
            max_ratio,
            hot_temperature_c,
            hot_penalty,
            throttle_penalty,
            smoothing,
            disable_unhealthy,
            min_healthy_share,
            pools,
        } = json;
        let defaults = Settings::default();
        let mut errors = Vec::new();
        let mut check = Check {
            errors: &mut errors,
        };
        let settings = Settings {
            memory_weight: check.fraction("memory_weight", memory_weight, defaults.memory_weight),
            compute_weight: check.fraction(
                "compute_weight",
                compute_weight,
                defaults.compute_weight,
            ),
            min_ratio: check.ratio("min_ratio", min_ratio, defaults.min_ratio),
            max_ratio: check.ratio("max_ratio", max_ratio, defaults.max_ratio),
            hot_temperature_c: check.float(
                "hot_temperature_c",
                hot_temperature_c,
                defaults.hot_temperature_c,
                |t| (30.0..=120.0).contains(&t),
                "30..=120",
            ),
            hot_penalty: check.fraction("hot_penalty", hot_penalty, defaults.hot_penalty),
            throttle_penalty: check.fraction(
                "throttle_penalty",
                throttle_penalty,
                defaults.throttle_penalty,
            ),
            smoothing: check.float(
                "smoothing",
                smoothing,
                defaults.smoothing,
                |s| (0.0..1.0).contains(&s),
                "0 ≤ smoothing < 1",
            ),
            disable_unhealthy: disable_unhealthy.unwrap_or(defaults.disable_unhealthy),
            min_healthy_share: check.fraction(
                "min_healthy_share",
                min_healthy_share,
                defaults.min_healthy_share,
            ),
            pools,
        };
        if settings.memory_weight == 0.0 && settings.compute_weight == 0.0 {
            errors.push("settings.memory_weight, settings.compute_weight: both are 0; at least one must be positive".into());
        }
        if settings.min_ratio >= settings.max_ratio {
            errors.push(format!(
                "settings.min_ratio: {} must be less than max_ratio ({})",
                settings.min_ratio, settings.max_ratio
            ));
        }
        if settings.pools.as_ref().is_some_and(Vec::is_empty) {
            errors.push(
                "settings.pools: an empty list manages no pool; leave it out to manage every pool"
                    .into(),
            );
        }
        if errors.is_empty() {
            Ok(settings)
        } else {
            Err(errors.join("; "))
        }
    }

    /// Whether the policy manages the pool named `pool`.
    pub fn manages(&self, pool: &str) -> bool {
        self.pools
            .as_ref()
            .is_none_or(|pools| pools.iter().any(|name| name == pool))
    }
}

/// Deserialize `text` into the file shape, naming the offending key on error.
fn parse_json(text: &str) -> Result<SettingsJson, String> {
    let object: Map<String, Value> = serde_json::from_str(text)
        .map_err(|error| format!("settings: expected a JSON object: {error}"))?;
    // With every value null, only an unknown key can fail (all keys are optional).
    let keys: Map<String, Value> = object
        .keys()
        .map(|key| (key.clone(), Value::Null))
        .collect();
    SettingsJson::deserialize(&Value::Object(keys))
        .map_err(|error| format!("settings: {error}"))?;
    let value = Value::Object(object);
    SettingsJson::deserialize(&value).map_err(|error| {
        // A value of the wrong type: find which key, since serde's message does not say.
        let culprit = value
            .as_object()
            .into_iter()
            .flatten()
            .find(|&(key, field)| {
                let alone = Map::from_iter([(key.clone(), field.clone())]);
                SettingsJson::deserialize(&Value::Object(alone)).is_err()
            });
        match culprit {
            Some((key, _)) => format!("settings.{key}: {error}"),
            None => format!("settings: {error}"),
        }
    })
}

/// Range checks that record an error and fall back to the default.
struct Check<'e> {
    errors: &'e mut Vec<String>,
}

impl Check<'_> {
    fn fraction(&mut self, name: &str, value: Option<f64>, default: f32) -> f32 {
        self.float(name, value, default, |v| (0.0..=1.0).contains(&v), "0..=1")
    }

    fn float(
        &mut self,
        name: &str,
        value: Option<f64>,
        default: f32,
        valid: impl Fn(f64) -> bool,
        expected: &str,
    ) -> f32 {
        match value {
            None => default,
            Some(value) if valid(value) => value as f32,
            Some(value) => {
                self.errors.push(format!(
                    "settings.{name}: {value} is out of range; expected {expected}"
                ));
                default
            }
        }
    }

    fn ratio(&mut self, name: &str, value: Option<u64>, default: u32) -> u32 {
        match value {
            None => default,
            Some(value @ 1..=65_535) => value as u32,
            Some(value) => {
                self.errors.push(format!(
                    "settings.{name}: {value} is out of range; expected 1..=65535"
                ));
                default
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_object_gives_the_defaults() {
        assert_eq!(Settings::parse("{}"), Ok(Settings::default()));
    }

    #[test]
    fn every_setting_is_read() {
        let text = r#"{"memory_weight": 1, "compute_weight": 0, "min_ratio": 5, "max_ratio": 500,
            "hot_temperature_c": 90, "hot_penalty": 0.25, "throttle_penalty": 0, "smoothing": 0,
            "disable_unhealthy": false, "min_healthy_share": 0.5, "pools": ["mlPool"]}"#;
        let settings = Settings::parse(text).unwrap();
        assert_eq!(
            settings,
            Settings {
                memory_weight: 1.0,
                compute_weight: 0.0,
                min_ratio: 5,
                max_ratio: 500,
                hot_temperature_c: 90.0,
                hot_penalty: 0.25,
                throttle_penalty: 0.0,
                smoothing: 0.0,
                disable_unhealthy: false,
                min_healthy_share: 0.5,
                pools: Some(vec!["mlPool".into()]),
            }
        );
        assert!(settings.manages("mlPool"));
        assert!(!settings.manages("otherPool"));
        assert!(Settings::default().manages("anyPool"));
    }

    #[test]
    fn errors_name_the_setting() {
        let cases = [
            (
                r#"{"max_ratio": 0}"#,
                "settings.max_ratio: 0 is out of range; expected 1..=65535",
            ),
            (
                r#"{"min_ratio": 70000}"#,
                "settings.min_ratio: 70000 is out of range; expected 1..=65535",
            ),
            (
                r#"{"memory_weight": 1.5}"#,
                "settings.memory_weight: 1.5 is out of range; expected 0..=1",
            ),
            (
                r#"{"smoothing": 1}"#,
                "settings.smoothing: 1 is out of range; expected 0 ≤ smoothing < 1",
            ),
            (
                r#"{"hot_temperature_c": 20}"#,
                "settings.hot_temperature_c: 20 is out of range; expected 30..=120",
            ),
            (
                r#"{"min_ratio": 100, "max_ratio": 100}"#,
                "settings.min_ratio: 100 must be less than max_ratio (100)",
            ),
            (
                r#"{"memory_weight": 0, "compute_weight": 0}"#,
                "settings.memory_weight, settings.compute_weight: both are 0; at least one must be positive",
            ),
            (
                r#"{"pools": []}"#,
                "settings.pools: an empty list manages no pool; leave it out to manage every pool",
            ),
            (
                r#"{"max_ratio": -3}"#,
                "settings.max_ratio: invalid value: integer `-3`, expected u64",
            ),
            (
                r#"{"smoothing": "high"}"#,
                "settings.smoothing: invalid type: string \"high\", expected f64",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Settings::parse(text), Err(expected.to_owned()), "{text}");
        }
    }

    #[test]
    fn unknown_keys_and_non_objects_are_rejected() {
        let error = Settings::parse(r#"{"smoothing": 0.2, "foo": 1}"#).unwrap_err();
        assert!(
            error.starts_with("settings: unknown field `foo`, expected one of"),
            "{error}"
        );
        let error = Settings::parse("[1]").unwrap_err();
        assert!(
            error.starts_with("settings: expected a JSON object: "),
            "{error}"
        );
    }

    #[test]
    fn all_range_errors_are_reported_together() {
        let error = Settings::parse(r#"{"hot_penalty": 2, "throttle_penalty": -1}"#).unwrap_err();
        assert_eq!(
            error,
            "settings.hot_penalty: 2 is out of range; expected 0..=1; \
             settings.throttle_penalty: -1 is out of range; expected 0..=1"
        );
    }
}
