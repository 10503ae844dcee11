//! Writing a cycle to the store: the intent before anything is applied, and
//! the audit record, last-applied values, policy state and clocks after, in
//! one transaction (see [`crate::store`] for the protocol). Both commits wait
//! for the disk and hashing the snapshot reads all of it, so they run off the
//! async runtime: the cycle's report is handed over and back.

use std::sync::Arc;

use super::slot::PolicySlot;
use super::{CycleReport, RunOutcome};
use crate::blocking::blocking;
use crate::error_chain::with_causes;
use crate::guard::{GuardClocks, GuardRails};
use crate::observe::{AuditNotRecorded, IntentNotRecorded, Observer};
use crate::runtime::PolicyState;
use crate::store::{
    AppliedRecord, AuditRecord, CycleOutcome, CycleState, DecisionRecord, HeldBackRecord, Intent,
    PolicyRecord, RecordedInputs, RejectionRecord, StateBackend, StateError, inputs_digest,
    snapshot_json,
};

/// What an applying cycle leaves for the next: every policy's state and the
/// guard clocks, owned so the commits can run off the runtime.
pub(super) struct LeftState {
    policies: Vec<(String, PolicyState)>,
    clocks: GuardClocks,
}

impl LeftState {
    pub(super) fn new(policies: &[PolicySlot], clocks: &GuardClocks) -> Arc<LeftState> {
        Arc::new(LeftState {
            policies: policies
                .iter()
                .map(|slot| (slot.state_key(), slot.state.clone()))
                .collect(),
            clocks: clocks.clone(),
        })
    }

    fn commit<R>(&self, write: impl FnOnce(&CycleState<'_>) -> R) -> R {
        let policies: Vec<(&str, &PolicyState)> = self
            .policies
            .iter()
            .map(|(name, state)| (name.as_str(), state))
            .collect();
        write(&CycleState {
            policies: &policies,
            clocks: Some(&self.clocks),
        })
    }
}

/// The first step of applying: the snapshot's digest, and whether the intent
/// to apply the plan is recorded.
pub(super) struct Begun {
    /// The snapshot's digest; empty without a store.
    pub digest: String,
    /// The snapshot's JSON, recorded with the cycle; empty without a store.
    snapshot_json: Vec<u8>,
    /// An error means nothing may be applied.
    pub intent: Result<(), Arc<StateError>>,
}

/// Write the report's snapshot as JSON, hash it, and commit the intent to
/// apply the plan (when it changes anything).
pub(super) async fn begin(
    store: Option<&Arc<dyn StateBackend>>,
    report: CycleReport,
    now_ms: u64,
    left: &Arc<LeftState>,
    observer: &Observer,
) -> (CycleReport, Begun) {
    let Some(store) = store else {
        let begun = Begun {
            digest: String::new(),
            snapshot_json: Vec::new(),
            intent: Ok(()),
        };
        return (report, begun);
    };
    let (store, left) = (Arc::clone(store), Arc::clone(left));
    let (report, begun) = blocking(move || {
        let snapshot_json = snapshot_json(&report.snapshot);
        let digest = inputs_digest(&snapshot_json);
        let intent = match report.plan.is_empty() {
            true => Ok(()),
            false => left.commit(|state| {
                let intent = Intent {
                    cycle: report.version,
                    at_ms: now_ms,
                    inputs_digest: digest.clone(),
                    planned: report.plan.changes.clone(),
                    replica: None,
                };
                store.write_intent(&intent, state).map_err(Arc::new)
            }),
        };
        let begun = Begun {
            digest,
            snapshot_json,
            intent,
        };
        (report, begun)
    })
    .await;
    if let Err(error) = &begun.intent {
        observer.emit(IntentNotRecorded {
            cycle: report.version,
            error: error.as_ref(),
        });
    }
    (report, begun)
}

/// Commit the cycle's audit record, the recording of what it decided from
/// (its snapshot, and `rails`), and the state it leaves. A failure is
/// logged: what was applied stays applied, and the intent stays for the next
/// start to close.
pub(super) async fn complete(
    store: Option<&Arc<dyn StateBackend>>,
    report: CycleReport,
    now_ms: u64,
    begun: Begun,
    rails: &GuardRails,
    left: &Arc<LeftState>,
    observer: &Observer,
) -> CycleReport {
    let Some(store) = store else { return report };
    let (store, left, rails) = (Arc::clone(store), Arc::clone(left), rails.clone());
    let (report, committed) = blocking(move || {
        let inputs = RecordedInputs::new(&begun.snapshot_json, &rails);
        let record = audit_record(&report, now_ms, begun.digest);
        let committed = left.commit(|state| store.complete_cycle(&record, Some(&inputs), state));
        (report, committed)
    })
    .await;
    if let Err(error) = &committed {
        observer.emit(AuditNotRecorded {
            cycle: report.version,
            error,
        });
    }
    report
}

/// The audit record of an applied cycle.
fn audit_record(cycle: &CycleReport, now_ms: u64, digest: String) -> AuditRecord {
    let policies = cycle
        .runs
        .iter()
        .filter_map(|run| match &run.outcome {
            RunOutcome::Evaluated(evaluation) => Some(PolicyRecord {
                policy: run.policy.clone(),
                shadow: run.shadow,
                decisions: evaluation
                    .decisions
                    .iter()
                    .map(|d| DecisionRecord::new(&cycle.snapshot, d))
                    .collect(),
                error: None,
            }),
            RunOutcome::Failed(error) => Some(PolicyRecord {
                policy: run.policy.clone(),
                shadow: run.shadow,
                decisions: Vec::new(),
                error: Some(error.clone()),
            }),
            RunOutcome::NotDue | RunOutcome::Quarantined(_) => None,
        })
        .collect();
    AuditRecord {
        cycle: cycle.version,
        at_ms: now_ms,
        inputs_digest: digest,
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
            .zip(cycle.applied.iter().flatten())
            .map(|(change, result)| AppliedRecord {
                change: change.clone(),
                error: result.as_ref().err().map(|error| with_causes(error)),
            })
            .collect(),
        errors: cycle.source_errors.clone(),
        shadows: cycle.shadows.clone(),
        replica: None,
    }
}
