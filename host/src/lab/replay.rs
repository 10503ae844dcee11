//! Replaying recorded cycles: what would a candidate policy have done? The
//! candidate is evaluated on every recorded snapshot in order, its own state
//! and guard clocks carried from cycle to cycle, its decisions held to the
//! guard rails each cycle was held to (granted every kind it declares) and
//! planned against the snapshot. Its changes are then set beside what the
//! named live policy had applied that cycle: the same change, one only the
//! candidate would have made (or made differently), one only the live
//! policy made. Reading goes through [`ReadAudit`], so it works beside a
//! running host.

use serde::Serialize;

use crate::actuators::mig::request::check_geometry;
use crate::guard::{self, GuardClocks, GuardContext, Held};
use crate::plan::{Change, Comparison, Plan};
use crate::runtime::{PolicyState, PreparedPolicy};
use crate::store::{AuditRecord, CycleOutcome, ReadAudit, StoreError};

/// How the candidate compared in one recorded cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleComparison {
    pub cycle: u64,
    pub at_ms: u64,
    #[serde(flatten)]
    pub changes: Comparison,
    /// The candidate's decisions the guard would have rejected, in words.
    pub rejected: Vec<String>,
    /// Why the candidate's evaluation failed, when it did.
    pub failed: Option<String>,
}

impl CycleComparison {
    /// True when the candidate would have changed exactly what was changed.
    pub fn agrees(&self) -> bool {
        self.changes.agrees() && self.failed.is_none()
    }
}

/// The whole replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Replay {
    pub candidate: String,
    pub against: String,
    pub cycles: Vec<CycleComparison>,
    /// Recorded cycles skipped: interrupted, or without a recording.
    pub skipped: usize,
}

impl Replay {
    /// Cycles in which the candidate would have changed exactly what was.
    pub fn agreeing(&self) -> usize {
        self.cycles.iter().filter(|c| c.agrees()).count()
    }
}

/// Why a replay could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no live policy to compare with: the recorded cycles have none")]
    NoLivePolicy,
    #[error("the recorded cycles have several policies ({}); name one with --against", .0.join(", "))]
    WhichPolicy(Vec<String>),
    #[error("no recorded cycle has a policy called {against:?}; they have: {}", known.join(", "))]
    UnknownPolicy { against: String, known: Vec<String> },
}

/// Replay `candidate` on every recorded cycle since `since_ms` and compare
/// it with the live policy `against` (the only one recorded, when `None`).
pub fn replay(
    store: &dyn ReadAudit,
    candidate: &PreparedPolicy,
    since_ms: Option<u64>,
    against: Option<&str>,
) -> Result<Replay, ReplayError> {
    let records = store.audit_since(since_ms)?;
    let against = live_policy(&records, against)?;
    let (mut state, mut clocks) = (PolicyState::default(), GuardClocks::default());
    let mut replay = Replay {
        candidate: candidate.name().to_owned(),
        against: against.clone(),
        cycles: Vec::new(),
        skipped: 0,
    };
    for record in &records {
        let recording = match record.outcome {
            CycleOutcome::Completed => store.recording(record.cycle)?,
            CycleOutcome::Interrupted => None,
        };
        let Some(recording) = recording else {
            replay.skipped += 1;
            continue;
        };
        let snapshot = &recording.snapshot;
        let live: Vec<Change> = record
            .applied
            .iter()
            .filter(|applied| applied.change.policy == against)
            .map(|applied| applied.change.change.clone())
            .collect();
        let mut comparison = CycleComparison {
            cycle: record.cycle,
            at_ms: record.at_ms,
            changes: Comparison::default(),
            rejected: Vec::new(),
            failed: None,
        };
        let planned = match candidate.turn(snapshot, &mut state).outcome {
            Err(error) => {
                comparison.failed = Some(error.to_string());
                Vec::new()
            }
            Ok(evaluation) => {
                let guarded = guard::check_alone(
                    snapshot,
                    candidate.name(),
                    &evaluation.decisions,
                    &clocks,
                    &GuardContext {
                        rails: &recording.rails,
                        geometry: &check_geometry,
                        held: &Held::new(),
                        now_ms: record.at_ms,
                    },
                );
                clocks = guarded.clocks;
                comparison.rejected = guarded.rejected.iter().map(|r| r.to_string()).collect();
                let plan = Plan::accepted(snapshot, &guarded.accepted);
                plan.changes.into_iter().map(|c| c.change).collect()
            }
        };
        comparison.changes = Comparison::of(planned, live);
        replay.cycles.push(comparison);
    }
    Ok(replay)
}

/// The live policy to compare with: `against`, or the only one recorded.
fn live_policy(records: &[AuditRecord], against: Option<&str>) -> Result<String, ReplayError> {
    let mut known: Vec<String> = records
        .iter()
        .flat_map(|r| r.policies.iter().filter(|p| !p.shadow))
        .map(|p| p.policy.clone())
        .collect();
    known.sort();
    known.dedup();
    match (against, known.as_slice()) {
        (Some(name), _) if known.iter().any(|k| k == name) => Ok(name.to_owned()),
        (Some(name), _) => Err(ReplayError::UnknownPolicy {
            against: name.to_owned(),
            known,
        }),
        (None, [one]) => Ok(one.clone()),
        (None, []) => Err(ReplayError::NoLivePolicy),
        (None, _) => Err(ReplayError::WhichPolicy(known)),
    }
}
