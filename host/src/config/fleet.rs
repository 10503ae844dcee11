//! `[fleet]`: the embedded simulated fleet a file with no backend runs on
//! ([`FleetConfig`]).
//!
//! ```toml
//! [fleet]
//! nodes = 3                 # ml-node-1 … at 127.0.1.1 …
//! gpus_per_node = 8
//! offered_load_rps = 450.0  # requests per second offered to the pool, on average
//! step_secs = 5             # simulated seconds per cycle
//! faults = true             # the scheduled XID on ml-node-3
//! ```

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use crate::sim::FleetConfig;

/// `[fleet]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FleetToml {
    nodes: Option<Spanned<u64>>,
    gpus_per_node: Option<Spanned<u64>>,
    offered_load_rps: Option<Spanned<f64>>,
    step_secs: Option<Spanned<f64>>,
    faults: Option<bool>,
}

impl Resolve for FleetToml {
    type Output = FleetConfig;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> FleetConfig {
        let default = FleetConfig::default();
        FleetConfig {
            nodes: cx.in_range(
                "nodes",
                self.nodes,
                1..=100_000,
                default.nodes as u64,
                problems,
            ) as usize,
            gpus_per_node: cx.in_range(
                "gpus_per_node",
                self.gpus_per_node,
                1..=16,
                default.gpus_per_node as u64,
                problems,
            ) as usize,
            offered_load_rps: cx.in_range(
                "offered_load_rps",
                self.offered_load_rps,
                0.0..=1e9,
                default.offered_load_rps,
                problems,
            ),
            step_s: cx.in_range(
                "step_secs",
                self.step_secs,
                0.1..=3600.0,
                default.step_s,
                problems,
            ),
            faults: if self.faults.unwrap_or(true) {
                default.faults
            } else {
                Vec::new()
            },
        }
    }
}
