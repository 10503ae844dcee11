//! mig-parted configs (schema v1) for layouts, and the name a layout's config
//! goes by, which is also the value of the GPU Operator's
//! `nvidia.com/mig.config` label.
//!
//! A request's config selects its GPUs by index and leaves the node's other
//! GPUs as they are:
//!
//! ```yaml
//! version: v1
//! mig-configs:
//!   fulcrum-g0.1-1g.10gbx2-3g.40gbx1:
//!   - devices: [0, 1]
//!     mig-enabled: true
//!     mig-devices:
//!       1g.10gb: 2
//!       3g.40gb: 1
//! ```

use std::collections::BTreeMap;

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::actuators::mig::request::MigRequest;

/// The only schema version mig-parted reads.
pub const VERSION: &str = "v1";

/// A mig-parted config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigPartedConfig {
    /// Always [`VERSION`].
    pub version: String,
    /// Named configs; each applies its entries in order.
    #[serde(rename = "mig-configs")]
    pub mig_configs: BTreeMap<String, Vec<MigDeviceConfig>>,
}

/// One entry of a named config: which GPUs, and their MIG mode and instances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigDeviceConfig {
    /// PCI device ids ("0x233010DE") the entry is limited to; absent for any.
    #[serde(
        rename = "device-filter",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub device_filter: Option<Vec<String>>,
    /// The GPUs it applies to.
    pub devices: Devices,
    /// MIG mode.
    #[serde(rename = "mig-enabled")]
    pub mig_enabled: bool,
    /// Instances per profile; empty when MIG is off.
    #[serde(
        rename = "mig-devices",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub mig_devices: BTreeMap<String, u32>,
}

/// `devices: all`, or a list of GPU indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Devices {
    /// Every GPU on the node.
    All,
    /// The GPUs with these indices.
    Indices(Vec<u32>),
}

impl Serialize for Devices {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Devices::All => serializer.serialize_str("all"),
            Devices::Indices(indices) => indices.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Devices {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Word(String),
            Indices(Vec<u32>),
        }
        match Shape::deserialize(deserializer)? {
            Shape::Word(word) if word == "all" => Ok(Devices::All),
            Shape::Word(word) => Err(de::Error::custom(format!(
                "devices: \"{word}\"; expected \"all\" or a list of GPU indices"
            ))),
            Shape::Indices(indices) => Ok(Devices::Indices(indices)),
        }
    }
}

/// Longest Kubernetes label value.
const MAX_LABEL_VALUE: usize = 63;

/// The config name for `request`: readable ("fulcrum-g0.1-1g.10gbx2-3g.40gbx1",
/// "fulcrum-g3-disabled") when it fits a label value, else "fulcrum-" and a
/// digest of the readable form.
pub fn config_name(request: &MigRequest) -> String {
    let gpus: Vec<String> = request.gpus.iter().map(u32::to_string).collect();
    let layout = if request.disables_mig() {
        "disabled".to_owned()
    } else {
        let parts: Vec<String> = request
            .profiles
            .iter()
            .filter(|&(_, &count)| count > 0)
            .map(|(name, count)| format!("{}x{count}", name.replace('+', ".")))
            .collect();
        parts.join("-")
    };
    let readable = format!("fulcrum-g{}-{layout}", gpus.join("."));
    if readable.len() <= MAX_LABEL_VALUE {
        return readable;
    }
    let digest = Sha256::digest(readable.as_bytes());
    format!("fulcrum-{}", &hex::encode(digest)[..16])
}

/// The config applying `request`, under [`config_name`].
pub fn config_for(request: &MigRequest) -> MigPartedConfig {
    let entry = MigDeviceConfig {
        device_filter: None,
        devices: Devices::Indices(request.gpus.clone()),
        mig_enabled: !request.disables_mig(),
        mig_devices: request
            .profiles
            .iter()
            .filter(|&(_, &count)| count > 0)
            .map(|(name, &count)| (name.clone(), count))
            .collect(),
    };
    MigPartedConfig {
        version: VERSION.to_owned(),
        mig_configs: BTreeMap::from([(config_name(request), vec![entry])]),
    }
}

/// The config as YAML.
pub fn to_yaml(config: &MigPartedConfig) -> Result<String, serde_norway::Error> {
    serde_norway::to_string(config)
}

/// Why a mig-parted config could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MigPartedError {
    #[error("mig-parted config: {0}")]
    Yaml(#[from] serde_norway::Error),
    #[error("mig-parted config: version \"{version}\"; expected \"{VERSION}\"")]
    Version { version: String },
}

/// A config read from YAML, with its version checked.
pub fn from_yaml(text: &str) -> Result<MigPartedConfig, MigPartedError> {
    let config: MigPartedConfig = serde_norway::from_str(text)?;
    if config.version != VERSION {
        return Err(MigPartedError::Version {
            version: config.version,
        });
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(gpus: &[u32], profiles: &[(&str, u32)]) -> MigRequest {
        MigRequest {
            node: "ml-node-1".into(),
            gpus: gpus.to_vec(),
            model: "NVIDIA H100 80GB HBM3".into(),
            profiles: profiles.iter().map(|&(p, c)| (p.to_owned(), c)).collect(),
        }
    }

    #[test]
    fn a_layout_becomes_a_v1_config_naming_its_gpus() {
        let request = request(&[0, 1], &[("1g.10gb", 2), ("3g.40gb", 1), ("2g.20gb", 1)]);
        let yaml = to_yaml(&config_for(&request)).unwrap();
        assert_eq!(
            yaml,
            "version: v1\n\
             mig-configs:\n  \
               fulcrum-g0.1-1g.10gbx2-2g.20gbx1-3g.40gbx1:\n  \
               - devices:\n    - 0\n    - 1\n    \
                 mig-enabled: true\n    \
                 mig-devices:\n      1g.10gb: 2\n      2g.20gb: 1\n      3g.40gb: 1\n"
        );
        assert_eq!(from_yaml(&yaml).unwrap(), config_for(&request));
    }

    #[test]
    fn disabling_mig_leaves_out_the_devices() {
        let request = request(&[3], &[]);
        assert_eq!(config_name(&request), "fulcrum-g3-disabled");
        let yaml = to_yaml(&config_for(&request)).unwrap();
        assert!(yaml.contains("mig-enabled: false"), "{yaml}");
        assert!(!yaml.contains("mig-devices"), "{yaml}");
    }

    #[test]
    fn names_are_valid_label_values() {
        let long = request(
            &[0, 1, 2, 3, 4, 5, 6, 7],
            &[
                ("1g.10gb", 2),
                ("1g.10gb+me", 1),
                ("2g.20gb", 1),
                ("3g.40gb", 1),
            ],
        );
        let short = request(&[0], &[("1g.10gb+me", 1)]);
        assert_eq!(config_name(&short), "fulcrum-g0-1g.10gb.mex1");
        for name in [config_name(&long), config_name(&short)] {
            assert!(name.len() <= MAX_LABEL_VALUE, "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                "{name}"
            );
        }
        assert!(config_name(&long).starts_with("fulcrum-"));
    }

    #[test]
    fn the_reference_example_parses() {
        let text = "version: v1\nmig-configs:\n  all-balanced:\n    - device-filter: [\"0x233010DE\", \"0x233110DE\"]\n      devices: all\n      mig-enabled: true\n      mig-devices:\n        \"1g.10gb\": 2\n        \"2g.20gb\": 1\n        \"3g.40gb\": 1\n";
        let config = from_yaml(text).unwrap();
        let entry = &config.mig_configs["all-balanced"][0];
        assert_eq!(entry.devices, Devices::All);
        assert_eq!(entry.mig_devices["1g.10gb"], 2);
        assert!(from_yaml("version: v2\nmig-configs: {}\n").is_err());
        assert!(from_yaml("version: v1\nmig-configs: {}\nextra: 1\n").is_err());
    }
}
