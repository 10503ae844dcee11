//! Running one case: the policy evaluated on the case's snapshot with its
//! starting state, in the real sandbox and limits, and, when the case asks,
//! its decisions held to the guard rails as `host run` would hold them.

use std::time::Duration;

use crate::actuators::mig::request::check_geometry;
use crate::guard::{self, GuardClocks, GuardContext, GuardRails, Held, Rejection};
use crate::model::{Action, Code, Decision, Snapshot};
use crate::runtime::{EvalError, PolicyState, PreparedPolicy};

/// What the policy did in one case.
pub(super) struct CaseOutcome {
    pub snapshot: Snapshot,
    /// The decisions (those the guard let through, with `guard`), or how
    /// the evaluation failed.
    pub evaluated: Result<Vec<Decision>, EvalError>,
    /// What the guard rejected; empty without `guard`.
    pub rejected: Vec<Rejection>,
    /// Time the evaluation held its thread.
    pub held: Duration,
}

/// Evaluate `policy` on `snapshot` from `state`, and guard the decisions
/// with `rails` when given (every kind the policy declares is granted).
pub(super) fn run(
    policy: &PreparedPolicy,
    snapshot: Snapshot,
    mut state: PolicyState,
    rails: Option<&GuardRails>,
) -> CaseOutcome {
    let turn = policy.turn(&snapshot, &mut state);
    let mut rejected = Vec::new();
    let evaluated = turn.outcome.map(|evaluation| match rails {
        None => evaluation.decisions,
        Some(rails) => {
            let guarded = guard::check_alone(
                &snapshot,
                policy.name(),
                &evaluation.decisions,
                &GuardClocks::default(),
                &GuardContext {
                    rails,
                    geometry: &check_geometry,
                    held: &Held::new(),
                    now_ms: snapshot.time_ms,
                },
            );
            rejected = guarded.rejected;
            guarded.accepted.into_iter().map(|a| a.decision).collect()
        }
    });
    CaseOutcome {
        snapshot,
        evaluated,
        rejected,
        held: turn.held,
    }
}

/// One decision on one line, targets named as an operator names them:
/// `mlPool/127.0.1.1:80 ratio 40`, `ml-group size 4`,
/// `gpu-node-1 gpus 0,1 layout 2x3g.40gb`.
pub fn describe(s: &Snapshot, action: &Action) -> String {
    let member = |row: u32| {
        let pool = s.members.pool[row as usize] as usize;
        format!(
            "{}/{}",
            s.string(s.pools.name[pool]),
            s.string(s.members.name[row as usize])
        )
    };
    let group = |row: u32| s.string(s.instance_groups.name[row as usize]).to_owned();
    match action {
        &Action::SetMemberRatio { member: m, ratio } => format!("{} ratio {ratio}", member(m)),
        &Action::SetMemberState { member: m, state } => {
            format!("{} state {}", member(m), state.name())
        }
        &Action::SetCapacityScaler { group: g, scaler } => {
            format!("{} capacity-scaler {scaler}", group(g))
        }
        &Action::ResizeGroup {
            group: g,
            target_size,
        } => {
            format!("{} size {target_size}", group(g))
        }
        Action::SetMigLayout {
            node,
            gpus,
            profiles,
        } => {
            let indexes: Vec<String> = gpus
                .iter()
                .map(|&g| s.gpus.index[g as usize].to_string())
                .collect();
            let layout: Vec<String> = profiles
                .iter()
                .map(|p| format!("{}x{}", p.count, p.profile))
                .collect();
            let layout = match layout.is_empty() {
                true => "none".to_owned(),
                false => layout.join(" + "),
            };
            format!(
                "{} gpus {} layout {layout}",
                s.string(s.nodes.name[*node as usize]),
                indexes.join(",")
            )
        }
    }
}
