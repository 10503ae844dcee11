//! [`CycleReport`]: everything one cycle saw and did, for the CLI's table,
//! the audit record and tests.

use std::time::Duration;

use crate::actuators::ChangeResult;
use crate::actuators::mig::rollouts::MigEvent;
use crate::guard::{Accepted, Rejection};
use crate::model::Snapshot;
use crate::plan::Plan;
use crate::runtime::{Dropped, Evaluation};
use crate::store::ShadowRecord;

/// How one policy's turn in a cycle went.
#[derive(Debug)]
pub enum RunOutcome {
    Evaluated(Evaluation),
    /// The evaluation failed; nothing of this policy is planned this cycle.
    Failed(String),
    /// Its interval has not elapsed since its last evaluation.
    NotDue,
    /// Benched after consecutive failures, with the reason.
    Quarantined(String),
}

/// One policy's turn.
#[derive(Debug)]
pub struct PolicyRun {
    pub policy: String,
    /// A shadow policy: evaluated and compared, never applied.
    pub shadow: bool,
    pub outcome: RunOutcome,
    /// Time its evaluation held its thread, whatever the outcome; zero when
    /// it was not evaluated.
    pub held: Duration,
    /// What the host dropped or cut of its text.
    pub dropped: Dropped,
}

impl PolicyRun {
    /// A policy that was not evaluated this cycle, and why.
    pub(super) fn skipped(policy: &str, shadow: bool, outcome: RunOutcome) -> PolicyRun {
        PolicyRun {
            policy: policy.to_owned(),
            shadow,
            outcome,
            held: Duration::ZERO,
            dropped: Dropped::default(),
        }
    }
}

/// Everything one cycle saw and did.
#[derive(Debug)]
pub struct CycleReport {
    pub version: u64,
    pub snapshot: Snapshot,
    /// One per configured policy, in configuration order.
    pub runs: Vec<PolicyRun>,
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejection>,
    pub plan: Plan,
    /// One result per planned change; `None` in a dry run.
    pub applied: Option<Vec<ChangeResult>>,
    /// Sources and targets that failed, each naming itself.
    pub source_errors: Vec<String>,
    /// Policy reloads attempted this cycle.
    pub reloads: Vec<String>,
    /// What MIG rollouts did this cycle.
    pub mig_events: Vec<MigEvent>,
    /// How each evaluated shadow policy compared with the plan.
    pub shadows: Vec<ShadowRecord>,
    /// How long each stage took.
    pub timings: StageTimings,
}

/// Wall time of each stage of a cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimings {
    /// Backends and telemetry read into the snapshot.
    pub collect: Duration,
    /// Every due policy evaluated.
    pub evaluate: Duration,
    /// Decisions held to grants and rails, and the change set planned.
    pub guard_and_plan: Duration,
    /// A replica's lead confirmed with etcd before applying.
    pub confirm: Duration,
    /// Changes written to the backends, MIG rollouts driven.
    pub apply: Duration,
    /// Intent and audit record committed to the store.
    pub record: Duration,
}
