//! `mig-resize`: a Fulcrum policy that reshapes the MIG layouts of idle GPUs
//! so the cluster holds the instances its workloads ask for.
//!
//! # Demand signals
//!
//! Demand comes from operator-defined signals named `mig-demand/<profile>`
//! (the prefix is the `signal_prefix` setting): the number of instances of
//! that profile the cluster should hold, for example `mig-demand/1g.10gb = 6`
//! and `mig-demand/3g.40gb = 2`. Values are rounded up; negative, `NaN` and
//! unknown-profile signals are ignored (and logged). Supply is every MIG
//! instance the snapshot reports on MIG-enabled GPUs.
//!
//! # Choosing layouts
//!
//! While some profile is short, the policy picks the one GPU change that
//! closes the most of the shortfall ([`decide`]): every GPU that may be
//! changed, against every layout its model accepts ([`fulcrum_mig::layouts`]). Each
//! change is one more GPU drained, so it takes the biggest step first and stops
//! when no change helps or `max_gpus_per_cycle` GPUs are chosen. Ties go to
//! the layout that keeps most of the GPU's current instances, then the one
//! with the fewest instances of profiles nobody asked for, then the one that
//! uses most of the GPU's memory.
//!
//! A GPU is never chosen while it is busy: its activity, or that of any of
//! its MIG instances, above `busy_threshold`, or not reported. Nor when its
//! node is stale or not healthy, its model has no MIG table, or its node is
//! already reconfiguring (`nvidia.com/mig.config.state` is `pending` or
//! `rebooting`). Settings are described on [`settings::Settings`]:
//!
//! ```json
//! { "busy_threshold": 0.05, "max_gpus_per_cycle": 1, "signal_prefix": "mig-demand/" }
//! ```
//!
//! The MIG geometry is the host's own: the `fulcrum-mig` crate (`host/mig`,
//! std only), so a layout the policy proposes is one the host's check
//! accepts.

pub mod decide;
pub mod settings;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

use crate::settings::Settings;

/// The policy, configured.
#[derive(Clone, Debug, PartialEq)]
pub struct MigResize {
    settings: Settings,
}

impl Policy for MigResize {
    fn metadata() -> Metadata {
        Metadata {
            name: "mig-resize".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Reshapes idle GPUs' MIG layouts towards per-profile demand signals"
                .into(),
            action_kinds: vec![ActionKind::MigLayout],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        Ok(MigResize {
            settings: Settings::parse(settings)?,
        })
    }

    fn decide(
        &self,
        snapshot: &SnapshotView<'_>,
        host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(decide::decide(&self.settings, snapshot, host).into())
    }
}

fulcrum_sdk::export_policy!(MigResize);

#[cfg(test)]
mod tests;
