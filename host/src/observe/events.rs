//! What the control loop reports, one type per event. Each event owns both
//! of its traces, the log line and the metrics it moves, so the cycle only
//! says what happened ([`Observer::emit`]) and the two never drift apart.

use std::path::Path;
use std::time::Duration;

use crate::actuators::ChangeResult;
use crate::actuators::mig::rollouts::MigEvent;
use crate::guard::{Accepted, Clamp, Rejection};
use crate::plan::PlannedChange;
use crate::runtime::{Dropped, EvalError, Evaluation};
use crate::store::ShadowRecord;

use super::{ActionOutcome, GuardEffect, Metrics};

/// Something the control loop did, logged and counted when emitted.
pub trait Event {
    fn emit(self, metrics: &Metrics);
}

/// Where the control loop's events go.
#[derive(Clone, Default)]
pub struct Observer {
    metrics: Metrics,
}

impl Observer {
    /// Events counted in `metrics`.
    pub fn new(metrics: Metrics) -> Observer {
        Observer { metrics }
    }

    /// Log and count `event`.
    pub fn emit(&self, event: impl Event) {
        event.emit(&self.metrics);
    }
}

/// A backend was read `reads` times this cycle, `failed` of them failing.
pub struct BackendRead {
    pub backend: &'static str,
    pub reads: u64,
    pub failed: u64,
}

impl Event for BackendRead {
    fn emit(self, metrics: &Metrics) {
        metrics.backend(self.backend, self.reads, self.failed);
    }
}

/// A source or telemetry target failed; its part of the snapshot is left
/// out or stale.
pub struct SourceFailed<'a> {
    pub cycle: u64,
    /// `source_kind()` of the failure: `bigip`, `gce`, `dcgm`, …
    pub source: &'static str,
    /// The error with its causes, on one line.
    pub error: &'a str,
}

impl Event for SourceFailed<'_> {
    fn emit(self, metrics: &Metrics) {
        tracing::warn!(cycle = self.cycle, error = %self.error, "source failed");
        metrics.source_error(self.source);
    }
}

/// A policy's evaluation succeeded.
pub struct PolicyEvaluated<'a> {
    pub policy: &'a str,
    pub evaluation: &'a Evaluation,
}

impl Event for PolicyEvaluated<'_> {
    fn emit(self, metrics: &Metrics) {
        metrics.evaluation(self.policy, self.evaluation.elapsed, None);
        for decision in &self.evaluation.decisions {
            metrics.action(
                self.policy,
                decision.action.kind().name(),
                ActionOutcome::Proposed,
            );
        }
    }
}

/// A policy's evaluation failed; it keeps what it last applied.
pub struct EvaluationFailed<'a> {
    pub policy: &'a str,
    pub error: &'a EvalError,
    /// Time the evaluation held its thread.
    pub held: Duration,
    /// Failures in a row, this one included.
    pub failures: u32,
}

impl Event for EvaluationFailed<'_> {
    fn emit(self, metrics: &Metrics) {
        let kind = self.error.kind().name();
        metrics.evaluation(self.policy, self.held, Some(kind));
        tracing::warn!(policy = %self.policy, kind, failures = self.failures, error = %self.error, "evaluation failed; keeping what it last applied");
    }
}

/// The host dropped or cut some of a policy's text in one evaluation.
pub struct TextDropped<'a> {
    pub policy: &'a str,
    pub dropped: Dropped,
}

impl Event for TextDropped<'_> {
    fn emit(self, metrics: &Metrics) {
        metrics.dropped(self.policy, self.dropped);
    }
}

/// A policy was benched after failing too often in a row.
pub struct PolicyQuarantined<'a> {
    pub policy: &'a str,
    pub reason: &'a str,
}

impl Event for PolicyQuarantined<'_> {
    fn emit(self, metrics: &Metrics) {
        tracing::error!(policy = %self.policy, reason = %self.reason, "policy quarantined");
        metrics.quarantined(self.policy, true);
    }
}

/// A changed policy file was loaded and took over; any quarantine is lifted.
pub struct PolicyReloaded<'a> {
    pub policy: &'a str,
    pub path: &'a Path,
}

impl Event for PolicyReloaded<'_> {
    fn emit(self, metrics: &Metrics) {
        tracing::info!(policy = %self.policy, path = %self.path.display(), "policy reloaded");
        metrics.quarantined(self.policy, false);
    }
}

/// A reload failed; the running version stays.
pub struct ReloadFailed<'a> {
    pub policy: &'a str,
    pub error: &'a anyhow::Error,
}

impl Event for ReloadFailed<'_> {
    fn emit(self, _: &Metrics) {
        tracing::error!(policy = %self.policy, error = %format!("{:#}", self.error), "reload failed; the running version stays");
    }
}

/// The guard rejected a policy's decision.
pub struct ActionRejected<'a> {
    pub cycle: u64,
    pub rejection: &'a Rejection,
}

impl Event for ActionRejected<'_> {
    fn emit(self, metrics: &Metrics) {
        let rejection = self.rejection;
        tracing::info!(cycle = self.cycle, %rejection, "action rejected");
        let kind = rejection.decision.action.kind().name();
        metrics.action(&rejection.policy, kind, ActionOutcome::Rejected);
        metrics.guard_rule(
            &rejection.policy,
            rejection.rule.name(),
            GuardEffect::Rejected,
        );
    }
}

/// A guard rail held an accepted decision back (a step limit, a cool-down).
pub struct ActionHeldBack<'a> {
    pub cycle: u64,
    pub accepted: &'a Accepted,
    pub clamp: &'a Clamp,
}

impl Event for ActionHeldBack<'_> {
    fn emit(self, metrics: &Metrics) {
        let (accepted, clamp) = (self.accepted, self.clamp);
        tracing::info!(cycle = self.cycle, policy = %accepted.policy, target = %accepted.target, rule = %clamp.rule, detail = %clamp.detail, "action held back");
        metrics.guard_rule(&accepted.policy, clamp.rule.name(), GuardEffect::HeldBack);
    }
}

/// A planned change was written to its backend, or failed.
pub struct ChangeApplied<'a> {
    pub cycle: u64,
    pub planned: &'a PlannedChange,
    pub result: &'a ChangeResult,
}

impl Event for ChangeApplied<'_> {
    fn emit(self, metrics: &Metrics) {
        let change = &self.planned.change;
        metrics.backend(change.backend(), 1, u64::from(self.result.is_err()));
        let outcome = match self.result {
            Ok(()) => ActionOutcome::Applied,
            Err(error) => {
                let error = crate::error_chain::with_causes(error);
                tracing::warn!(cycle = self.cycle, %change, %error, "change failed");
                ActionOutcome::Failed
            }
        };
        metrics.action(&self.planned.policy, change.kind(), outcome);
    }
}

/// A MIG rollout took a step.
pub struct MigStep<'a> {
    pub cycle: u64,
    pub event: &'a MigEvent,
}

impl Event for MigStep<'_> {
    fn emit(self, _: &Metrics) {
        tracing::info!(cycle = self.cycle, event = %self.event, "mig");
    }
}

/// The intent could not be committed, so nothing was applied this cycle.
pub struct IntentNotRecorded<'a> {
    pub cycle: u64,
    pub error: &'a dyn std::error::Error,
}

impl Event for IntentNotRecorded<'_> {
    fn emit(self, _: &Metrics) {
        tracing::error!(cycle = self.cycle, error = %self.error, "cannot record the intent; applying nothing");
    }
}

/// The cycle's audit record could not be committed; what was applied stays
/// applied, and the intent stays for the next start to close.
pub struct AuditNotRecorded<'a> {
    pub cycle: u64,
    pub error: &'a dyn std::error::Error,
}

impl Event for AuditNotRecorded<'_> {
    fn emit(self, _: &Metrics) {
        tracing::error!(cycle = self.cycle, error = %self.error, "cannot record the cycle in the audit log");
    }
}

/// The last run stopped while applying a cycle; it is closed in the audit
/// log as interrupted.
pub struct InterruptedCycleClosed {
    pub cycle: u64,
    pub planned: usize,
}

impl Event for InterruptedCycleClosed {
    fn emit(self, _: &Metrics) {
        tracing::warn!(
            cycle = self.cycle,
            planned = self.planned,
            "the last run stopped while applying; the next cycle re-reads what it left"
        );
    }
}

/// A shadow policy's changes were set beside the applied plan.
pub struct ShadowCompared<'a> {
    pub cycle: u64,
    pub shadow: &'a ShadowRecord,
}

impl Event for ShadowCompared<'_> {
    fn emit(self, metrics: &Metrics) {
        let shadow = self.shadow;
        let changes = &shadow.changes;
        tracing::info!(
            cycle = self.cycle,
            policy = %shadow.policy,
            same = changes.same.len(),
            shadow_only = changes.only_candidate.len(),
            live_only = changes.only_live.len(),
            rejected = shadow.rejected.len(),
            "shadow compared"
        );
        for (agreement, count) in [
            ("same", changes.same.len()),
            ("shadow-only", changes.only_candidate.len()),
            ("live-only", changes.only_live.len()),
            ("rejected", shadow.rejected.len()),
        ] {
            metrics.shadow(&shadow.policy, agreement, count);
        }
    }
}

/// A cycle ended.
pub struct CycleFinished {
    pub took: Duration,
}

impl Event for CycleFinished {
    fn emit(self, metrics: &Metrics) {
        metrics.cycle(self.took);
    }
}
