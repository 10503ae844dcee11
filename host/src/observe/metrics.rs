//! [`Metrics`]: every counter and histogram the host exports, registered once
//! and encoded in the OpenMetrics text format.

use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PolicyLabel {
    policy: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PolicyErrorLabels {
    policy: String,
    kind: String,
}

/// What became of a proposed action.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum ActionOutcome {
    /// A policy proposed it.
    Proposed,
    /// The guard rejected it (outside the grants, against a guard rail).
    Rejected,
    /// An actuator applied it.
    Applied,
    /// An actuator tried and failed.
    Failed,
}

impl ActionOutcome {
    /// The label value: `proposed`, `rejected`, `applied` or `failed`.
    pub fn name(self) -> &'static str {
        match self {
            ActionOutcome::Proposed => "proposed",
            ActionOutcome::Rejected => "rejected",
            ActionOutcome::Applied => "applied",
            ActionOutcome::Failed => "failed",
        }
    }
}

impl EncodeLabelValue for ActionOutcome {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        EncodeLabelValue::encode(&self.name(), encoder)
    }
}

/// How a guard rail stopped or shortened an action.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum GuardEffect {
    /// The action was rejected.
    Rejected,
    /// The action was accepted, shortened (a step limit, a stabilization window).
    HeldBack,
}

impl EncodeLabelValue for GuardEffect {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        let name = match self {
            GuardEffect::Rejected => "rejected",
            GuardEffect::HeldBack => "held-back",
        };
        EncodeLabelValue::encode(&name, encoder)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GuardLabels {
    policy: String,
    rule: String,
    effect: GuardEffect,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    policy: String,
    kind: String,
    outcome: ActionOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DroppedLabels {
    policy: String,
    what: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShadowLabels {
    policy: String,
    agreement: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BackendLabel {
    backend: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// The host's metrics. Cheap to clone: every clone updates the same values.
#[derive(Clone)]
pub struct Metrics {
    registry: std::sync::Arc<Registry>,
    cycles: Counter,
    cycle_seconds: Histogram,
    evaluations: Family<PolicyLabel, Counter>,
    evaluation_seconds: HistogramFamily<PolicyLabel>,
    evaluation_errors: Family<PolicyErrorLabels, Counter>,
    quarantined: Family<PolicyLabel, Gauge>,
    actions: Family<ActionLabels, Counter>,
    guard: Family<GuardLabels, Counter>,
    dropped: Family<DroppedLabels, Counter>,
    backend_requests: Family<BackendLabel, Counter>,
    backend_errors: Family<BackendLabel, Counter>,
    source_errors: Family<BackendLabel, Counter>,
    shadow_decisions: Family<ShadowLabels, Counter>,
    leader: Gauge,
    takeovers: Counter,
    lead_confirm_seconds: Histogram,
}

fn latency_histogram() -> Histogram {
    // 100 µs … ~1.6 s.
    Histogram::new(exponential_buckets(0.0001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Register every metric under the `fulcrum` prefix.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("fulcrum");
        let cycles = Counter::default();
        registry.register("cycles", "Control-loop cycles run", cycles.clone());
        let cycle_seconds = latency_histogram();
        registry.register(
            "cycle_duration_seconds",
            "Time one cycle took, collect to audit",
            cycle_seconds.clone(),
        );
        let evaluations = Family::<PolicyLabel, Counter>::default();
        registry.register(
            "policy_evaluations",
            "Policy evaluations, successful or not",
            evaluations.clone(),
        );
        let evaluation_seconds: HistogramFamily<PolicyLabel> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "policy_evaluation_duration_seconds",
            "Time one policy evaluation took, snapshot in to decisions out",
            evaluation_seconds.clone(),
        );
        let evaluation_errors = Family::<PolicyErrorLabels, Counter>::default();
        registry.register(
            "policy_evaluation_errors",
            "Failed policy evaluations by kind (timeout, out_of_memory, trap, invalid_output, policy_error, host)",
            evaluation_errors.clone(),
        );
        let quarantined = Family::<PolicyLabel, Gauge>::default();
        registry.register(
            "policy_quarantined",
            "1 while a policy is quarantined after consecutive failures",
            quarantined.clone(),
        );
        let actions = Family::<ActionLabels, Counter>::default();
        registry.register(
            "actions",
            "Actions by policy, kind and outcome (proposed, rejected, applied, failed)",
            actions.clone(),
        );
        let guard = Family::<GuardLabels, Counter>::default();
        registry.register(
            "guard_rules",
            "Actions a guard rule rejected or held back, by policy, rule and effect (rejected, held-back)",
            guard.clone(),
        );
        let dropped = Family::<DroppedLabels, Counter>::default();
        registry.register(
            "policy_text_dropped",
            "What the host dropped of a policy's text: log messages past the per-evaluation bound (what=\"log_message\") and messages, errors and backtraces cut to their cap (what=\"truncated\")",
            dropped.clone(),
        );
        let backend_requests = Family::<BackendLabel, Counter>::default();
        registry.register(
            "backend_operations",
            "Reads (a pool, a group) and writes (a change) the host asked a backend for",
            backend_requests.clone(),
        );
        let backend_errors = Family::<BackendLabel, Counter>::default();
        registry.register(
            "backend_errors",
            "Backend operations that failed after the client's retries",
            backend_errors.clone(),
        );
        let source_errors = Family::<BackendLabel, Counter>::default();
        registry.register(
            "source_errors",
            "Telemetry or state collections that failed, by kind of source (bigip, gce, dcgm, prometheus, nvidia-smi)",
            source_errors.clone(),
        );
        let shadow_decisions = Family::<ShadowLabels, Counter>::default();
        registry.register(
            "shadow_decisions",
            "Changes of shadow policies set beside the applied plan, by agreement: same (applied alike), shadow-only (not applied, or applied otherwise), live-only (applied, not proposed by the shadow), rejected (the guard would have refused it)",
            shadow_decisions.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this host leads and applies (a host running alone always does), 0 while it stands by",
            leader.clone(),
        );
        let takeovers = Counter::default();
        registry.register(
            "leader_takeovers",
            "Times this replica took the lead of a new term",
            takeovers.clone(),
        );
        let lead_confirm_seconds = latency_histogram();
        registry.register(
            "leader_confirm_duration_seconds",
            "Time the leader took to confirm its lead with etcd before applying (the fence's cost per cycle)",
            lead_confirm_seconds.clone(),
        );
        Metrics {
            registry: std::sync::Arc::new(registry),
            cycles,
            cycle_seconds,
            evaluations,
            evaluation_seconds,
            evaluation_errors,
            quarantined,
            actions,
            guard,
            dropped,
            backend_requests,
            backend_errors,
            source_errors,
            shadow_decisions,
            leader,
            takeovers,
            lead_confirm_seconds,
        }
    }

    /// Whether this host leads now.
    pub fn leader(&self, leading: bool) {
        self.leader.set(i64::from(leading));
    }

    /// Count a takeover: this replica took the lead of a new term.
    pub fn takeover(&self) {
        self.takeovers.inc();
    }

    /// Time one confirmation of the lead took.
    pub fn lead_confirmed(&self, took: Duration) {
        self.lead_confirm_seconds.observe(took.as_secs_f64());
    }

    /// Count a finished cycle.
    pub fn cycle(&self, took: Duration) {
        self.cycles.inc();
        self.cycle_seconds.observe(took.as_secs_f64());
    }

    /// Count one evaluation of `policy`; `error` is its error kind when it failed.
    pub fn evaluation(&self, policy: &str, took: Duration, error: Option<&str>) {
        let label = PolicyLabel {
            policy: policy.to_owned(),
        };
        self.evaluations.get_or_create(&label).inc();
        self.evaluation_seconds
            .get_or_create(&label)
            .observe(took.as_secs_f64());
        if let Some(kind) = error {
            self.evaluation_errors
                .get_or_create(&PolicyErrorLabels {
                    policy: policy.to_owned(),
                    kind: kind.to_owned(),
                })
                .inc();
        }
    }

    /// Count what the host dropped of `policy`'s text in one evaluation.
    pub fn dropped(&self, policy: &str, dropped: crate::runtime::Dropped) {
        for (what, count) in [
            ("log_message", dropped.log_messages),
            ("truncated", dropped.truncated_texts),
        ] {
            if count > 0 {
                self.dropped
                    .get_or_create(&DroppedLabels {
                        policy: policy.to_owned(),
                        what,
                    })
                    .inc_by(u64::from(count));
            }
        }
    }

    /// Whether `policy` is quarantined now.
    pub fn quarantined(&self, policy: &str, quarantined: bool) {
        self.quarantined
            .get_or_create(&PolicyLabel {
                policy: policy.to_owned(),
            })
            .set(i64::from(quarantined));
    }

    /// Count an action of `kind` by `policy` that ended as `outcome`.
    pub fn action(&self, policy: &str, kind: &str, outcome: ActionOutcome) {
        self.actions
            .get_or_create(&ActionLabels {
                policy: policy.to_owned(),
                kind: kind.to_owned(),
                outcome,
            })
            .inc();
    }

    /// Count an action of `policy` that guard rule `rule` rejected or held back.
    pub fn guard_rule(&self, policy: &str, rule: &str, effect: GuardEffect) {
        self.guard
            .get_or_create(&GuardLabels {
                policy: policy.to_owned(),
                rule: rule.to_owned(),
                effect,
            })
            .inc();
    }

    /// Count `operations` asked of `backend`, `errors` of which failed.
    pub fn backend(&self, backend: &str, operations: u64, errors: u64) {
        let label = BackendLabel {
            backend: backend.to_owned(),
        };
        self.backend_requests
            .get_or_create(&label)
            .inc_by(operations);
        self.backend_errors.get_or_create(&label).inc_by(errors);
    }

    /// Count `count` changes of shadow policy `policy` that ended as
    /// `agreement` (`same`, `shadow-only`, `live-only`, `rejected`).
    pub fn shadow(&self, policy: &str, agreement: &'static str, count: usize) {
        self.shadow_decisions
            .get_or_create(&ShadowLabels {
                policy: policy.to_owned(),
                agreement,
            })
            .inc_by(count as u64);
    }

    /// Count a failed collection from `source`.
    pub fn source_error(&self, source: &str) {
        self.source_errors
            .get_or_create(&BackendLabel {
                backend: source.to_owned(),
            })
            .inc();
    }

    /// Everything, in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_show_up_under_their_labels() {
        let metrics = Metrics::new();
        metrics.evaluation("gpu-weighting", Duration::from_millis(2), None);
        metrics.evaluation("gpu-weighting", Duration::from_millis(3), Some("timeout"));
        metrics.action("gpu-weighting", "member-ratio", ActionOutcome::Rejected);
        metrics.guard_rule("gpu-weighting", "step-limit", GuardEffect::HeldBack);
        metrics.backend("bigip", 4, 1);
        metrics.dropped(
            "flood",
            crate::runtime::Dropped {
                log_messages: 9992,
                truncated_texts: 8,
            },
        );
        let text = metrics.encode();
        for line in [
            "fulcrum_policy_text_dropped_total{policy=\"flood\",what=\"log_message\"} 9992",
            "fulcrum_policy_text_dropped_total{policy=\"flood\",what=\"truncated\"} 8",
            "fulcrum_policy_evaluations_total{policy=\"gpu-weighting\"} 2",
            "fulcrum_policy_evaluation_errors_total{policy=\"gpu-weighting\",kind=\"timeout\"} 1",
            "fulcrum_actions_total{policy=\"gpu-weighting\",kind=\"member-ratio\",outcome=\"rejected\"} 1",
            "fulcrum_guard_rules_total{policy=\"gpu-weighting\",rule=\"step-limit\",effect=\"held-back\"} 1",
            "fulcrum_backend_operations_total{backend=\"bigip\"} 4",
            "fulcrum_backend_errors_total{backend=\"bigip\"} 1",
            "fulcrum_policy_evaluation_duration_seconds_count{policy=\"gpu-weighting\"} 2",
        ] {
            assert!(text.contains(line), "missing {line} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
