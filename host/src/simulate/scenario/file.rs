//! The scenario file as written: every table refuses keys it does not know,
//! and values that need checking keep their place in the file
//! ([`Spanned`]) so a problem can name its line.

use crate::config::GuardTable;
use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A number or a duration text in the file, with its place.
pub(super) type At<T> = Option<Spanned<T>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScenarioToml {
    pub name: Option<String>,
    #[serde(default)]
    pub run: RunToml,
    #[serde(default)]
    pub model: ModelToml,
    #[serde(default)]
    pub slo: SloToml,
    pub load: Spanned<LoadToml>,
    pub fleet: Spanned<FleetToml>,
    pub pool: Option<PoolToml>,
    pub group: Option<Spanned<GroupToml>>,
    #[serde(default)]
    pub faults: Vec<Spanned<FaultToml>>,
    /// The host's `[guard]` table; read by `rails.rs`.
    pub guard: Option<GuardTable>,
    #[serde(default)]
    pub policies: BTreeMap<String, PolicyToml>,
}

/// `[run]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RunToml {
    pub duration: At<String>,
    pub cycle: At<String>,
    pub seed: Option<u64>,
}

/// `[model]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ModelToml {
    pub name: Option<String>,
    pub parameters_b: At<f64>,
    pub weights_gib: At<f64>,
    pub kv_kib_per_token: At<f64>,
    pub max_batch: At<u32>,
    pub prefill_efficiency: At<f64>,
    pub decode_efficiency: At<f64>,
    pub memory_utilization: At<f64>,
}

/// `[slo]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SloToml {
    pub ttft_ms: At<f64>,
    pub attainment: At<f64>,
}

/// `[load]`: a trace, or `[load.synthetic]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LoadToml {
    pub trace: At<String>,
    pub scale: At<f64>,
    pub jitter: At<String>,
    pub synthetic: Option<Spanned<SyntheticToml>>,
}

/// `[load.synthetic]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SyntheticToml {
    pub rate: Spanned<f64>,
    pub amplitude: At<f64>,
    pub period: At<String>,
    pub peak: At<String>,
    #[serde(default)]
    pub bursts: Vec<Spanned<BurstToml>>,
    pub prompt_tokens: Spanned<u32>,
    pub output_tokens: Spanned<u32>,
    /// `fixed` (default) or `exponential`.
    pub tokens: At<String>,
}

/// `[[load.synthetic.bursts]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BurstToml {
    pub at: Spanned<String>,
    pub duration: Spanned<String>,
    pub factor: Spanned<f64>,
}

/// `[fleet]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FleetToml {
    pub nodes: Vec<Spanned<NodeClassToml>>,
}

/// `[[fleet.nodes]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NodeClassToml {
    pub count: At<u32>,
    pub gpu: Spanned<String>,
    pub gpus: At<u32>,
    /// `normal` (default) or `poor`.
    pub cooling: At<String>,
    /// MIG profiles every GPU of these nodes is split into.
    pub mig: Option<Spanned<Vec<String>>>,
}

/// `[pool]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PoolToml {
    pub name: Option<String>,
    pub initial_ratio: At<u32>,
}

/// `[group]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupToml {
    pub name: Option<String>,
    pub initial: At<u32>,
    pub min: At<u32>,
    pub max: At<u32>,
    pub boot: At<String>,
    #[serde(default)]
    pub stockouts: Vec<Spanned<StockoutToml>>,
}

/// `[[group.stockouts]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct StockoutToml {
    pub from: Spanned<String>,
    pub until: Spanned<String>,
}

/// `[[faults]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FaultToml {
    pub at: Spanned<String>,
    pub node: Spanned<String>,
    pub xid: At<u32>,
    pub gpu: At<u32>,
    pub recover_after: At<String>,
    #[serde(default)]
    pub lost: bool,
}

/// `[policies.NAME]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyToml {
    #[serde(default)]
    pub settings: toml::Table,
    #[serde(default)]
    pub priority: i32,
}
