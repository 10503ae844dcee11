//! [`MigActuator`]: applying planned MIG layouts. Planned layouts become
//! rollouts, and every rollout in progress takes its next step each applying
//! cycle — drained through the BIG-IP, applied by the configured executor,
//! saved to the store after every step so a restart resumes where it stopped.

use super::bigip_drain::BigIpDrain;
use super::executor::any::AnyExecutor;
use super::rollouts::{MigEvent, MigRollouts, SavedRollouts};
use crate::actuators::{ApplyError, ChangeResult};
use std::sync::Arc;

use crate::backends::Backends;
use crate::blocking::blocking;
use crate::guard::Held;
use crate::model::Snapshot;
use crate::plan::{Change, Plan};
use crate::store::StateBackend;

/// Rollouts in progress and what applies their layouts.
pub struct MigActuator {
    /// The rollouts in progress.
    pub rollouts: MigRollouts,
    /// What applies their layouts.
    pub executor: AnyExecutor,
}

impl MigActuator {
    /// The members rollouts in progress have drained, held from policies
    /// until each rollout enables them again.
    pub fn held(&self) -> Held {
        let mut held = Held::new();
        for rollout in self.rollouts.in_progress() {
            let why = format!(
                "node {} is mid MIG rollout ({})",
                rollout.request.node,
                rollout.phase_name()
            );
            for member in rollout.members() {
                held.hold(&member.pool, &member.member, why.as_str());
            }
        }
        held
    }

    /// Start the plan's layouts and drive every rollout one cycle. Returns
    /// the events, and sets the result of each planned layout: applied once
    /// its rollout started, failed with the reason when it was refused.
    pub async fn cycle(
        &mut self,
        backends: &Backends,
        store: Option<&Arc<dyn StateBackend>>,
        snapshot: &Snapshot,
        plan: &Plan,
        results: &mut [ChangeResult],
        now_ms: u64,
    ) -> Vec<MigEvent> {
        let Some(bigip) = &backends.bigip else {
            for (planned, result) in plan.changes.iter().zip(results.iter_mut()) {
                if matches!(planned.change, Change::MigLayout { .. }) {
                    *result = Err(ApplyError::MigNoDrain);
                }
            }
            return Vec::new();
        };
        let mut drain = BigIpDrain::new(bigip);
        // Each save commits to disk: off the async runtime.
        let persist = async |saved: SavedRollouts| match store {
            Some(store) => {
                let store = Arc::clone(store);
                blocking(move || store.save_mig_rollouts(&saved)).await
            }
            None => Ok(()),
        };
        let events = self
            .rollouts
            .cycle(
                snapshot,
                &plan.changes,
                now_ms,
                &mut drain,
                &self.executor,
                persist,
            )
            .await;
        for (planned, result) in plan.changes.iter().zip(results.iter_mut()) {
            let Change::MigLayout { node, gpus, .. } = &planned.change else {
                continue;
            };
            *result = events
                .iter()
                .find_map(|event| match event {
                    MigEvent::Started {
                        node: n, gpus: g, ..
                    } if n == node && g == gpus => Some(Ok(())),
                    MigEvent::Refused {
                        node: n,
                        gpus: g,
                        reason,
                        ..
                    } if n == node && g == gpus => {
                        Some(Err(ApplyError::MigRefused(reason.clone())))
                    }
                    _ => None,
                })
                .unwrap_or_else(|| Err(ApplyError::MigNotStarted { node: node.clone() }));
        }
        events
    }
}
