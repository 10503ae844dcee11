//! `queue-scaling`: a Fulcrum policy that sizes managed instance groups to the
//! demand queued for them.
//!
//! Each cycle, for every managed group:
//!
//! - demand is read from the signal `<signal>/<group>`, or `<signal>` when the
//!   group has no signal of its own (the operator or a telemetry query sets it:
//!   queued requests, requests per second, tokens per second);
//! - the group wants `ceil(demand / target_per_instance)` instances, within its
//!   `min_size..=max_size`;
//! - as in the Kubernetes HPA, nothing is proposed while demand per instance is
//!   within `tolerance` of the target, so small wobbles do not resize;
//! - a group whose instances are failing to be created (a stockout, a quota) is
//!   not grown further until they come up: asking again would not help.
//!
//! Scale-in stabilization and cool-downs are the host's guard rails, not this
//! policy's business. Settings, all optional, are described on [`Settings`]:
//!
//! ```json
//! { "signal": "queue-depth", "target_per_instance": 100, "tolerance": 0.1,
//!   "groups": ["tf-instance-group-manager"] }
//! ```

pub mod decide;
pub mod settings;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

use crate::settings::Settings;

/// The policy, configured.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueScaling {
    settings: Settings,
}

impl Policy for QueueScaling {
    fn metadata() -> Metadata {
        Metadata {
            name: "queue-scaling".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Sizes managed instance groups to the demand queued for them".into(),
            action_kinds: vec![ActionKind::GroupSize],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        Ok(QueueScaling {
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

fulcrum_sdk::export_policy!(QueueScaling);

#[cfg(test)]
mod tests;
