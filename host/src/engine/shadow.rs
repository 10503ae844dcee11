//! Shadow policies: evaluated with the others on the live snapshot, in the
//! same sandbox and limits, then held to the guard on their own — as if
//! granted every kind they declare, against the clocks the live guard
//! started the cycle with, which they never advance — and planned against
//! the snapshot. What they would have changed is set beside what the applied
//! plan changes (of the kinds the shadow declares). Nothing of a shadow ever
//! enters the applied plan.

use super::decide::Rules;
use super::slot::PolicySlot;
use super::{PolicyRun, RunOutcome};
use crate::guard;
use crate::model::Snapshot;
use crate::observe::{Observer, ShadowCompared};
use crate::plan::{Change, Comparison, Plan};
use crate::store::ShadowRecord;

/// Compare every evaluated shadow policy with `applied`, the cycle's plan.
pub(super) fn compare(
    cycle: u64,
    snapshot: &Snapshot,
    policies: &[PolicySlot],
    runs: &[PolicyRun],
    rules: &Rules<'_>,
    applied: &Plan,
    observer: &Observer,
) -> Vec<ShadowRecord> {
    policies
        .iter()
        .zip(runs)
        .filter(|(slot, _)| slot.is_shadow())
        .filter_map(|(slot, run)| match &run.outcome {
            RunOutcome::Evaluated(evaluation) => Some((slot, evaluation)),
            _ => None,
        })
        .map(|(slot, evaluation)| {
            let guarded = guard::check_alone(
                snapshot,
                slot.name(),
                &evaluation.decisions,
                rules.clocks,
                &rules.context(),
            );
            let planned = Plan::accepted(snapshot, &guarded.accepted);
            let kinds = &slot.prepared.info().metadata.action_kinds;
            let live: Vec<Change> = applied
                .changes
                .iter()
                .filter(|planned| kinds.iter().any(|k| k.name() == planned.change.kind()))
                .map(|planned| planned.change.clone())
                .collect();
            let shadow = ShadowRecord {
                policy: slot.name().to_owned(),
                changes: Comparison::of(planned.changes.into_iter().map(|p| p.change), live),
                rejected: guarded.rejected.iter().map(|r| r.to_string()).collect(),
            };
            observer.emit(ShadowCompared {
                cycle,
                shadow: &shadow,
            });
            shadow
        })
        .collect()
}
