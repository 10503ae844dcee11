//! Writing a cycle to the store: the intent before anything is applied, and
//! the audit record, last-applied values, policy state and clocks after, in
//! one transaction (see [`crate::store`] for the protocol).

use std::sync::Arc;

use crate::actuators::{ApplyError, ChangeResult};
use crate::error_chain::with_causes;
use crate::guard::{Accepted, Rejection};
use crate::model::Snapshot;
use crate::plan::Plan;
use crate::store::{
    AppliedRecord, AuditRecord, CycleOutcome, CycleState, DecisionRecord, HeldBackRecord, Intent,
    PolicyRecord, RejectionRecord, Store,
};

use super::{PolicyRun, RunOutcome};

/// Commit the intent to apply `plan`; an error means nothing may be applied.
pub(super) fn intent(
    store: &Store,
    cycle: u64,
    now_ms: u64,
    digest: &str,
    plan: &Plan,
    state: &CycleState<'_>,
) -> Result<(), ApplyError> {
    store
        .write_intent(
            &Intent {
                cycle,
                at_ms: now_ms,
                inputs_digest: digest.to_owned(),
                planned: plan.changes.clone(),
            },
            state,
        )
        .map_err(|err| {
            tracing::error!(cycle, %err, "cannot record the intent; applying nothing");
            ApplyError::NotRecorded(Arc::new(err))
        })
}

/// What one applied cycle did, for its audit record.
pub(super) struct Cycle<'a> {
    pub version: u64,
    pub now_ms: u64,
    pub digest: String,
    pub snapshot: &'a Snapshot,
    pub runs: &'a [PolicyRun],
    pub accepted: &'a [Accepted],
    pub rejected: &'a [Rejection],
    pub plan: &'a Plan,
    pub results: &'a [ChangeResult],
    pub source_errors: &'a [String],
}

/// Commit the cycle's audit record with the state it leaves. A failure is
/// logged: what was applied stays applied, and the intent stays for the next
/// start to close.
pub(super) fn complete(store: &Store, cycle: &Cycle<'_>, state: &CycleState<'_>) {
    let policies = cycle
        .runs
        .iter()
        .filter_map(|run| match &run.outcome {
            RunOutcome::Evaluated(evaluation) => Some(PolicyRecord {
                policy: run.policy.clone(),
                decisions: evaluation
                    .decisions
                    .iter()
                    .map(|d| DecisionRecord::new(cycle.snapshot, d))
                    .collect(),
                error: None,
            }),
            RunOutcome::Failed(error) => Some(PolicyRecord {
                policy: run.policy.clone(),
                decisions: Vec::new(),
                error: Some(error.clone()),
            }),
            RunOutcome::NotDue | RunOutcome::Quarantined(_) => None,
        })
        .collect();
    let record = AuditRecord {
        cycle: cycle.version,
        at_ms: cycle.now_ms,
        inputs_digest: cycle.digest.clone(),
        outcome: CycleOutcome::Completed,
        policies,
        rejections: cycle.rejected.iter().map(RejectionRecord::from).collect(),
        held_back: cycle.accepted.iter().flat_map(HeldBackRecord::of).collect(),
        // Each change is listed once, with its outcome, under `applied`.
        planned: Vec::new(),
        applied: cycle
            .plan
            .changes
            .iter()
            .zip(cycle.results)
            .map(|(change, result)| AppliedRecord {
                change: change.clone(),
                error: result.as_ref().err().map(|error| with_causes(error)),
            })
            .collect(),
        errors: cycle.source_errors.to_vec(),
    };
    if let Err(err) = store.complete_cycle(&record, state) {
        tracing::error!(cycle = cycle.version, %err, "cannot record the cycle in the audit log");
    }
}
