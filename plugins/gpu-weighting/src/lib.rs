//! `gpu-weighting`: a Fulcrum policy that weights load-balancer pool members by
//! how much GPU capacity their node has free.
//!
//! Each cycle, for every member of the managed pools whose node is known:
//!
//! - the node's GPUs are scored from free memory and idle compute, with hot and
//!   throttled GPUs penalised ([`score`]); the member's ratio moves towards
//!   `min_ratio + score × (max_ratio − min_ratio)`, smoothed over cycles, and is
//!   proposed only when the rounded value changes;
//! - a member on an unhealthy node (a fatal XID, an unreachable GPU) is
//!   disabled, and enabled again once the node is healthy, if this policy was
//!   the one that disabled it ([`health`]); with `min_healthy_share` below 1,
//!   a node that keeps at least that share of its GPUs healthy serves on,
//!   its ratio scaled by the healthy share (every GPU its own server: one
//!   lost GPU need not idle the other seven);
//! - members on stale nodes are left alone.
//!
//! The smoothed ratios and the members it disabled are remembered under one
//! state key ([`memory`]). Settings, all optional, are described on
//! [`Settings`]:
//!
//! ```json
//! { "memory_weight": 0.5, "compute_weight": 0.5, "min_ratio": 1, "max_ratio": 100,
//!   "hot_temperature_c": 83, "hot_penalty": 0.5, "throttle_penalty": 0.3,
//!   "smoothing": 0.5, "disable_unhealthy": true, "min_healthy_share": 1.0,
//!   "pools": ["mlPool"] }
//! ```
//!
//! Built for `wasm32-wasip2` this crate is the policy component; natively it is
//! an ordinary library, for tests and benchmarks.

pub mod decide;
pub mod health;
pub mod memory;
pub mod score;
pub mod settings;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

use crate::settings::Settings;

/// The policy, configured.
#[derive(Clone, Debug, PartialEq)]
pub struct GpuWeighting {
    settings: Settings,
}

impl GpuWeighting {
    /// The validated settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

impl Policy for GpuWeighting {
    fn metadata() -> Metadata {
        Metadata {
            name: "gpu-weighting".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Weights pool members by their node's free GPU capacity; disables members on unhealthy nodes"
                .into(),
            action_kinds: vec![ActionKind::MemberRatio, ActionKind::MemberState],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        Ok(GpuWeighting {
            settings: Settings::parse(settings)?,
        })
    }

    fn decide(
        &self,
        snapshot: &SnapshotView<'_>,
        host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(decide::decide(&self.settings, snapshot, host))
    }
}

fulcrum_sdk::export_policy!(GpuWeighting);

#[cfg(test)]
mod tests;
