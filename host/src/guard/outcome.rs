//! What the guard hands on: the accepted actions (some clamped, each clamp
//! explained) and the rejected ones, each naming the policy, the target, the
//! rule and the values that decided it.

use std::collections::BTreeMap;
use std::fmt;

use super::stabilization::GuardClocks;
use super::target::{Target, action_value};
use crate::model::{Action, Decision};

/// The rule that clamped or rejected an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// The action names a row outside the snapshot, or a group that is no backend.
    InvalidTarget,
    /// The operator granted the policy no such action on this target.
    NotGranted,
    /// The host holds the member's state while a MIG rollout drains its node.
    Held,
    /// A policy of higher priority (or listed earlier) changes the same target.
    Superseded,
    /// The pool would keep fewer serving members than the rails require.
    MinEnabledMembers,
    /// The group size would leave the allowed bounds.
    GroupBounds,
    /// The change is larger than one cycle may make.
    StepLimit,
    /// A scale-in below the highest size recommended within the window.
    Stabilization,
    /// The group was resized too recently.
    CoolDown,
    /// The MIG layout is not a valid geometry for those GPUs.
    MigGeometry,
}

impl Rule {
    /// Kebab-case name, used in messages, audit records and metric labels.
    pub fn name(self) -> &'static str {
        match self {
            Rule::InvalidTarget => "invalid-target",
            Rule::NotGranted => "not-granted",
            Rule::Held => "held",
            Rule::Superseded => "superseded",
            Rule::MinEnabledMembers => "min-enabled-members",
            Rule::GroupBounds => "group-bounds",
            Rule::StepLimit => "step-limit",
            Rule::Stabilization => "stabilization",
            Rule::CoolDown => "cool-down",
            Rule::MigGeometry => "mig-geometry",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a rule changed an accepted action.
#[derive(Debug, Clone, PartialEq)]
pub struct Clamp {
    pub rule: Rule,
    /// The values, in words ("ratio 10 → 80 limited to a step of 10: 20").
    pub detail: String,
}

/// An action that may be applied, as the guard left it.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub policy: String,
    pub target: Target,
    /// The action to apply, with the policy's reason.
    pub decision: Decision,
    /// The action as the policy proposed it; differs from `decision.action`
    /// exactly when `clamps` is not empty.
    pub proposed: Action,
    pub clamps: Vec<Clamp>,
}

/// An action that will not be applied, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub policy: String,
    /// `None` when the action names a row outside the snapshot.
    pub target: Option<Target>,
    pub decision: Decision,
    pub rule: Rule,
    /// The values, in words ("pool mlPool would keep 1 of 4 members serving; at least 2 required").
    pub detail: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = action_value(&self.decision.action);
        match &self.target {
            Some(target) => write!(f, "policy {}: {value} on {target}", self.policy)?,
            None => write!(f, "policy {}: {value}", self.policy)?,
        }
        write!(f, " rejected by {}: {}", self.rule, self.detail)
    }
}

/// Everything one guard pass decided.
#[derive(Debug, Clone, PartialEq)]
pub struct GuardOutcome {
    /// In priority order: the highest priority policy's actions first.
    pub accepted: Vec<Accepted>,
    pub rejected: Vec<Rejection>,
    /// The clocks after this pass: persist them when the cycle is applied,
    /// drop them on a dry run.
    pub clocks: GuardClocks,
}

impl GuardOutcome {
    /// Rejections counted per policy and rule, for metrics and summaries.
    pub fn rejection_counts(&self) -> BTreeMap<(String, Rule), u64> {
        let mut counts = BTreeMap::new();
        for rejection in &self.rejected {
            *counts
                .entry((rejection.policy.clone(), rejection.rule))
                .or_insert(0) += 1;
        }
        counts
    }
}
