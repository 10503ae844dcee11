//! Evaluating the due policies on one snapshot. Evaluations are CPU-bound
//! for up to their deadline, so they leave the async runtime, and each
//! policy runs on a thread of its own, so one that uses its whole deadline
//! delays no other. A failure counts towards the policy's quarantine; a dry
//! run keeps none of the state the policies wrote.

use std::sync::Arc;

use super::slot::PolicySlot;
use super::{Mode, PolicyRun, RunOutcome};
use crate::blocking::blocking;
use crate::model::Snapshot;
use crate::observe::{EvaluationFailed, Observer, PolicyEvaluated, PolicyQuarantined, TextDropped};
use crate::runtime::{PolicyState, PreparedPolicy, Turn};

/// How the cycle evaluates.
pub(super) struct Settings {
    pub now_ms: u64,
    pub mode: Mode,
    /// Failures in a row after which a policy is quarantined.
    pub quarantine_after: u32,
}

/// Evaluate every due, unquarantined policy on `snapshot`; one run per
/// policy, in configuration order.
pub(super) async fn evaluate(
    policies: &mut [PolicySlot],
    snapshot: &Arc<Snapshot>,
    settings: &Settings,
    observer: &Observer,
) -> Vec<PolicyRun> {
    let mut runs: Vec<Option<PolicyRun>> = Vec::with_capacity(policies.len());
    let mut jobs = Vec::new();
    for (index, slot) in policies.iter_mut().enumerate() {
        let skipped = if let Some(reason) = &slot.quarantined {
            Some(RunOutcome::Quarantined(reason.clone()))
        } else if settings.now_ms < slot.next_due_ms {
            Some(RunOutcome::NotDue)
        } else {
            let interval_ms = slot.config.interval.map_or(0, |i| i.as_millis() as u64);
            slot.next_due_ms = settings.now_ms + interval_ms;
            jobs.push((index, slot.prepared.clone(), slot.state.clone()));
            None
        };
        runs.push(
            skipped.map(|outcome| PolicyRun::skipped(slot.name(), slot.is_shadow(), outcome)),
        );
    }
    for (index, turn, state) in run_turns(jobs, Arc::clone(snapshot)).await {
        runs[index] = Some(settle(
            &mut policies[index],
            turn,
            state,
            settings,
            observer,
        ));
    }
    runs.into_iter()
        .map(|run| run.expect("every policy is skipped or has had its turn"))
        .collect()
}

/// Each policy's turn on a thread of its own, off the async runtime.
async fn run_turns(
    jobs: Vec<(usize, PreparedPolicy, PolicyState)>,
    snapshot: Arc<Snapshot>,
) -> Vec<(usize, Turn, PolicyState)> {
    blocking(move || {
        std::thread::scope(|scope| {
            let running: Vec<_> = jobs
                .into_iter()
                .map(|(index, policy, mut state)| {
                    let snapshot = &snapshot;
                    scope.spawn(move || {
                        let turn = policy.turn(snapshot, &mut state);
                        (index, turn, state)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        })
    })
    .await
}

/// Book one policy's turn: keep its state when applying, count its failures
/// and quarantine it after too many in a row.
fn settle(
    slot: &mut PolicySlot,
    turn: Turn,
    state: PolicyState,
    settings: &Settings,
    observer: &Observer,
) -> PolicyRun {
    let policy = slot.name().to_owned();
    observer.emit(TextDropped {
        policy: &policy,
        dropped: turn.dropped,
    });
    let outcome = match turn.outcome {
        Ok(evaluation) => {
            if settings.mode == Mode::Apply {
                slot.state = state;
            }
            observer.emit(PolicyEvaluated {
                policy: &policy,
                evaluation: &evaluation,
            });
            slot.failures = 0;
            RunOutcome::Evaluated(evaluation)
        }
        Err(error) => {
            slot.failures += 1;
            observer.emit(EvaluationFailed {
                policy: &policy,
                error: &error,
                held: turn.held,
                failures: slot.failures,
            });
            if slot.failures >= settings.quarantine_after {
                let reason = format!("{} failures in a row, the last: {error}", slot.failures);
                observer.emit(PolicyQuarantined {
                    policy: &policy,
                    reason: &reason,
                });
                slot.quarantined = Some(reason);
            }
            RunOutcome::Failed(error.to_string())
        }
    };
    PolicyRun {
        policy,
        shadow: slot.is_shadow(),
        outcome,
        held: turn.held,
        dropped: turn.dropped,
    }
}
