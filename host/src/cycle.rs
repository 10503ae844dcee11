//! One iteration of the control loop, its stages called in data-flow order:
//! collect a snapshot, evaluate every policy on it, plan the changes, apply
//! them. Nothing else lives here.

use std::collections::HashSet;

use crate::model::{Action, Code, Decision, Snapshot};
use crate::runtime::{EvalError, Evaluation, PolicyState, PreparedPolicy};
use crate::sim::Fleet;

/// A policy and the state it carries from cycle to cycle.
pub struct LoadedPolicy {
    pub prepared: PreparedPolicy,
    pub state: PolicyState,
}

impl LoadedPolicy {
    pub fn new(prepared: PreparedPolicy) -> Self {
        LoadedPolicy {
            prepared,
            state: PolicyState::default(),
        }
    }
}

/// How one policy's evaluation went.
#[derive(Debug)]
pub struct PolicyOutcome {
    pub policy: String,
    pub result: Result<Evaluation, EvalError>,
}

/// A decision that survived planning, and whether applying it worked.
#[derive(Debug)]
pub struct Change {
    pub policy: String,
    pub decision: Decision,
    /// `None` in a dry run, when nothing is applied.
    pub applied: Option<Result<(), String>>,
}

/// Everything one cycle saw and did.
#[derive(Debug)]
pub struct CycleReport {
    pub snapshot: Snapshot,
    pub outcomes: Vec<PolicyOutcome>,
    pub changes: Vec<Change>,
    /// Decisions that asked for what already holds.
    pub unchanged: usize,
    /// Decisions dropped because a policy listed earlier already changed the same target.
    pub superseded: usize,
}

/// Run one cycle against the embedded fleet. Policies are in priority order:
/// when two change the same target, the first one listed wins.
pub fn run_cycle(
    fleet: &mut Fleet,
    policies: &mut [LoadedPolicy],
    version: u64,
    dry_run: bool,
) -> CycleReport {
    let snapshot = fleet.snapshot(version);
    let outcomes: Vec<PolicyOutcome> = policies
        .iter_mut()
        .map(|p| PolicyOutcome {
            policy: p.prepared.name().to_owned(),
            result: p.prepared.evaluate(&snapshot, &mut p.state),
        })
        .collect();
    let (planned, unchanged, superseded) = plan(&snapshot, &outcomes);
    let changes = planned
        .into_iter()
        .map(|(policy, decision)| {
            let applied = (!dry_run).then(|| fleet.apply(&snapshot, &decision.action));
            Change {
                policy,
                decision,
                applied,
            }
        })
        .collect();
    fleet.advance();
    CycleReport {
        snapshot,
        outcomes,
        changes,
        unchanged,
        superseded,
    }
}

/// The minimal change set: decisions that change something, one per target.
fn plan(
    snapshot: &Snapshot,
    outcomes: &[PolicyOutcome],
) -> (Vec<(String, Decision)>, usize, usize) {
    let mut taken = HashSet::new();
    let (mut planned, mut unchanged, mut superseded) = (Vec::new(), 0, 0);
    for outcome in outcomes {
        let Ok(evaluation) = &outcome.result else {
            continue;
        };
        for decision in &evaluation.decisions {
            if already_holds(snapshot, &decision.action) {
                unchanged += 1;
            } else if !taken.insert(target(&decision.action)) {
                superseded += 1;
            } else {
                planned.push((outcome.policy.clone(), decision.clone()));
            }
        }
    }
    (planned, unchanged, superseded)
}

/// What an action changes: the kind and the row it names.
fn target(action: &Action) -> (crate::model::ActionKind, u32) {
    let row = match *action {
        Action::SetMemberRatio { member, .. } | Action::SetMemberState { member, .. } => member,
        Action::SetCapacityScaler { group, .. } | Action::ResizeGroup { group, .. } => group,
        Action::SetMigLayout { node, .. } => node,
    };
    (action.kind(), row)
}

fn already_holds(s: &Snapshot, action: &Action) -> bool {
    match *action {
        Action::SetMemberRatio { member, ratio } => s.members.ratio[member as usize] == ratio,
        Action::SetMemberState { member, state } => {
            s.members.state[member as usize] == state.code()
        }
        Action::SetCapacityScaler { group, scaler } => {
            s.instance_groups.capacity_scaler[group as usize] == scaler
        }
        Action::ResizeGroup { group, target_size } => {
            s.instance_groups.target_size[group as usize] == target_size
        }
        Action::SetMigLayout { .. } => false,
    }
}
