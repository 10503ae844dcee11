//! [`Settings`]: the operator's knobs, parsed from the policy's JSON settings.
//! Errors name the setting: `settings.tolerance: 2 is out of range; expected 0..1`.

use serde::Deserialize;

/// How demand turns into group sizes.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// The demand signal's name; `<signal>/<group>` overrides it per group.
    pub signal: String,
    /// Demand one instance is sized to carry, > 0.
    pub target_per_instance: f64,
    /// Relative deviation from the target tolerated without resizing, 0 ≤ t < 1.
    pub tolerance: f64,
    /// The groups to manage by name; `None` manages every group.
    pub groups: Option<Vec<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            signal: "queue-depth".into(),
            target_per_instance: 100.0,
            tolerance: 0.1,
            groups: None,
        }
    }
}

/// The settings as the operator writes them: a JSON object, every key optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsJson {
    signal: Option<String>,
    target_per_instance: Option<f64>,
    tolerance: Option<f64>,
    groups: Option<Vec<String>>,
}

impl Settings {
    /// Parse and validate the JSON settings; every error is reported, joined by "; ".
    pub fn parse(text: &str) -> Result<Settings, String> {
        let text = if text.trim().is_empty() || text.trim() == "null" {
            "{}"
        } else {
            text
        };
        let json: SettingsJson =
            serde_json::from_str(text).map_err(|err| format!("settings: {err}"))?;
        let defaults = Settings::default();
        let mut errors = Vec::new();
        let signal = json.signal.unwrap_or(defaults.signal);
        if signal.is_empty() {
            errors.push("settings.signal: must not be empty".to_owned());
        }
        let target_per_instance = json
            .target_per_instance
            .unwrap_or(defaults.target_per_instance);
        if !(target_per_instance.is_finite() && target_per_instance > 0.0) {
            errors.push(format!(
                "settings.target_per_instance: {target_per_instance} must be a positive number"
            ));
        }
        let tolerance = json.tolerance.unwrap_or(defaults.tolerance);
        if !(0.0..1.0).contains(&tolerance) {
            errors.push(format!(
                "settings.tolerance: {tolerance} is out of range; expected 0 ≤ tolerance < 1"
            ));
        }
        if json.groups.as_ref().is_some_and(Vec::is_empty) {
            errors.push(
                "settings.groups: an empty list manages no group; leave it out to manage every group"
                    .to_owned(),
            );
        }
        if errors.is_empty() {
            Ok(Settings {
                signal,
                target_per_instance,
                tolerance,
                groups: json.groups,
            })
        } else {
            Err(errors.join("; "))
        }
    }

    /// True when group `name` is managed.
    pub fn manages(&self, name: &str) -> bool {
        self.groups
            .as_ref()
            .is_none_or(|groups| groups.iter().any(|g| g == name))
    }
}
