//! Guard and plan: the evaluated live policies' decisions held to their grants
//! and the operator's rails (conflicts settled by priority, members mid MIG
//! rollout held), then the minimal change set that takes the fleet from the
//! snapshot to what was accepted.

use super::slot::PolicySlot;
use super::{PolicyRun, RunOutcome};
use crate::actuators::mig::request::check_geometry;
use crate::guard::{
    self, GuardClocks, GuardContext, GuardOutcome, GuardRails, Held, PolicyProposal,
};
use crate::model::Snapshot;
use crate::observe::{ActionHeldBack, ActionRejected, Observer};
use crate::plan::Plan;

/// What the guard holds decisions to this cycle.
pub(super) struct Rules<'a> {
    pub rails: &'a GuardRails,
    /// The clocks the last applied cycle left.
    pub clocks: &'a GuardClocks,
    /// Members the host holds while MIG rollouts drain their nodes.
    pub held: &'a Held,
    pub now_ms: u64,
}

impl Rules<'_> {
    /// The guard's context for this cycle.
    pub(super) fn context(&self) -> GuardContext<'_> {
        GuardContext {
            rails: self.rails,
            geometry: &check_geometry,
            held: self.held,
            now_ms: self.now_ms,
        }
    }
}

/// Hold every evaluated policy's decisions to `rules` and plan what is
/// accepted.
pub(super) fn decide(
    cycle: u64,
    snapshot: &Snapshot,
    policies: &[PolicySlot],
    runs: &[PolicyRun],
    rules: &Rules<'_>,
    observer: &Observer,
) -> (GuardOutcome, Plan) {
    let proposals: Vec<PolicyProposal<'_>> = policies
        .iter()
        .zip(runs)
        .filter(|(slot, _)| !slot.is_shadow())
        .filter_map(|(slot, run)| match &run.outcome {
            RunOutcome::Evaluated(evaluation) => Some(PolicyProposal {
                policy: slot.name(),
                priority: slot.config.priority,
                grants: &slot.config.grants,
                decisions: &evaluation.decisions,
            }),
            _ => None,
        })
        .collect();
    let guarded = guard::check(snapshot, &proposals, rules.clocks, &rules.context());
    for rejection in &guarded.rejected {
        observer.emit(ActionRejected { cycle, rejection });
    }
    for accepted in &guarded.accepted {
        for clamp in &accepted.clamps {
            observer.emit(ActionHeldBack {
                cycle,
                accepted,
                clamp,
            });
        }
    }
    let plan = Plan::accepted(snapshot, &guarded.accepted);
    (guarded, plan)
}
