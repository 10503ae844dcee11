//! The plan: the minimal change set between what the accepted decisions ask
//! for and what the snapshot observed, with every target named the way its
//! backend names it (pool and member, group and zone, node and GPU index)
//! rather than by snapshot row, so a plan can be printed, persisted as an
//! intent before it is applied, and applied after the snapshot is gone.
//!
//! A decision that asks for what already holds becomes no change; a cycle in
//! which every decision already holds has an empty plan and writes nothing.

mod change;
mod compare;
mod render;

pub use change::{Change, PlannedChange};
pub use compare::Comparison;
pub use render::render;

use serde::{Deserialize, Serialize};

use crate::guard::Accepted;
use crate::model::{Action, Code, Decision, Snapshot};

/// One cycle's change set, in the order the policies' priorities gave it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub changes: Vec<PlannedChange>,
    /// Accepted decisions that asked for what already holds.
    pub unchanged: usize,
}

impl Plan {
    /// The plan for `decisions` (policy name, accepted decision) against `snapshot`.
    pub fn new<'a>(
        snapshot: &Snapshot,
        decisions: impl IntoIterator<Item = (&'a str, &'a Decision)>,
    ) -> Plan {
        let mut plan = Plan::default();
        for (policy, decision) in decisions {
            match change_for(snapshot, &decision.action) {
                Some(change) => plan.changes.push(PlannedChange {
                    policy: policy.to_owned(),
                    reason: decision.reason.clone(),
                    change,
                }),
                None => plan.unchanged += 1,
            }
        }
        plan
    }

    /// The plan for what the guard accepted.
    pub fn accepted(snapshot: &Snapshot, accepted: &[Accepted]) -> Plan {
        Plan::new(
            snapshot,
            accepted.iter().map(|a| (a.policy.as_str(), &a.decision)),
        )
    }

    /// True when there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

/// The change `action` makes to what `s` observed; `None` when it already holds.
fn change_for(s: &Snapshot, action: &Action) -> Option<Change> {
    match action {
        &Action::SetMemberRatio { member, ratio } => {
            let at = member as usize;
            let from = s.members.ratio[at];
            (from != ratio).then(|| Change::MemberRatio {
                pool: pool_of(s, member),
                member: s.string(s.members.name[at]).to_owned(),
                from,
                to: ratio,
            })
        }
        &Action::SetMemberState { member, state } => {
            let at = member as usize;
            let from = s.member_state(member);
            (from != state).then(|| Change::MemberState {
                pool: pool_of(s, member),
                member: s.string(s.members.name[at]).to_owned(),
                from: from.name().to_owned(),
                to: state.name().to_owned(),
            })
        }
        &Action::SetCapacityScaler { group, scaler } => {
            let at = group as usize;
            let from = s.instance_groups.capacity_scaler[at];
            (from != scaler).then(|| Change::CapacityScaler {
                backend_service: s.string(s.instance_groups.backend_service[at]).to_owned(),
                group: s.string(s.instance_groups.name[at]).to_owned(),
                location: s.string(s.instance_groups.location[at]).to_owned(),
                from,
                to: scaler,
            })
        }
        &Action::ResizeGroup { group, target_size } => {
            let at = group as usize;
            let from = s.instance_groups.target_size[at];
            (from != target_size).then(|| Change::GroupSize {
                group: s.string(s.instance_groups.name[at]).to_owned(),
                location: s.string(s.instance_groups.location[at]).to_owned(),
                from,
                to: target_size,
            })
        }
        Action::SetMigLayout {
            node,
            gpus,
            profiles,
        } => Some(Change::MigLayout {
            node: s.string(s.nodes.name[*node as usize]).to_owned(),
            gpus: gpus.iter().map(|&g| s.gpus.index[g as usize]).collect(),
            profiles: profiles
                .iter()
                .map(|p| (p.profile.clone(), p.count))
                .collect(),
        }),
    }
}

fn pool_of(s: &Snapshot, member: u32) -> String {
    let pool = s.members.pool[member as usize] as usize;
    s.string(s.pools.name[pool]).to_owned()
}

#[cfg(test)]
mod tests;
