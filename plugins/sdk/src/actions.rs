//! One proposed change at a time: the [`Action`] and [`Decision`] types and
//! functions that build them, one per kind of action.
//!
//! Rows are those of the snapshot being decided on (see
//! [`MemberView::row`](crate::MemberView::row), [`GroupView::row`](crate::GroupView::row));
//! the reason is shown to operators and kept in the audit log, so say why in a
//! short sentence ("GPU 3 at 91 °C, throttled: ratio 40 → 25").
//!
//! A policy returns its decisions as [`Decisions`](crate::Decisions), which
//! collects from these (`.collect()`, `push`) or is written to directly.

use crate::{MemberState, ProfileCount, Row};

/// Set a pool member's ratio weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberRatio {
    /// Row in `members`.
    pub member: Row,
    /// New ratio, 1..=65535.
    pub ratio: u32,
}

/// Set a pool member's administrative state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberStateChange {
    /// Row in `members`.
    pub member: Row,
    /// New state.
    pub state: MemberState,
}

/// Set the capacity scaler of an instance group's backend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacityScaler {
    /// Row in `instance-groups`; the group must be a backend.
    pub group: Row,
    /// New scaler: exactly 0 (drained) or 0.1..=1.
    pub scaler: f32,
}

/// Resize a managed instance group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSize {
    /// Row in `instance-groups`.
    pub group: Row,
    /// New target size; the host rejects sizes outside the group's min..=max.
    pub target_size: u32,
}

/// Put the given GPUs of a node into one MIG layout.
#[derive(Debug, Clone, PartialEq)]
pub struct MigLayout {
    /// Row in `nodes`.
    pub node: Row,
    /// Rows in `gpus`; every one must belong to `node`.
    pub gpus: Vec<Row>,
    /// The layout each listed GPU gets; empty disables MIG on them.
    pub profiles: Vec<ProfileCount>,
}

/// One change a policy proposes.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Set a pool member's ratio (kind `member-ratio`).
    SetMemberRatio(MemberRatio),
    /// Enable, disable or force offline a pool member (kind `member-state`).
    SetMemberState(MemberStateChange),
    /// Scale a backend's capacity (kind `capacity-scaler`).
    SetCapacityScaler(CapacityScaler),
    /// Resize a managed instance group (kind `group-size`).
    ResizeGroup(GroupSize),
    /// Reconfigure GPUs' MIG layout (kind `mig-layout`).
    SetMigLayout(MigLayout),
}

/// An action with the reason for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The change.
    pub action: Action,
    /// Why, in a sentence.
    pub reason: String,
}

/// Set pool member `member`'s ratio weight to `ratio` (1..=65535).
pub fn set_member_ratio(member: Row, ratio: u32, reason: impl Into<String>) -> Decision {
    decision(
        Action::SetMemberRatio(MemberRatio { member, ratio }),
        reason,
    )
}

/// Set pool member `member`'s administrative state.
pub fn set_member_state(member: Row, state: MemberState, reason: impl Into<String>) -> Decision {
    decision(
        Action::SetMemberState(MemberStateChange { member, state }),
        reason,
    )
}

/// Set the capacity scaler of instance group `group`'s backend: exactly 0
/// (drained) or 0.1..=1.
pub fn set_capacity_scaler(group: Row, scaler: f32, reason: impl Into<String>) -> Decision {
    decision(
        Action::SetCapacityScaler(CapacityScaler { group, scaler }),
        reason,
    )
}

/// Resize managed instance group `group` to `target_size` instances.
pub fn resize_group(group: Row, target_size: u32, reason: impl Into<String>) -> Decision {
    decision(
        Action::ResizeGroup(GroupSize { group, target_size }),
        reason,
    )
}

/// Put `gpus` (rows in `gpus`, all on `node`) into the MIG layout `profiles`;
/// an empty `profiles` disables MIG on them.
pub fn set_mig_layout(
    node: Row,
    gpus: Vec<Row>,
    profiles: Vec<ProfileCount>,
    reason: impl Into<String>,
) -> Decision {
    decision(
        Action::SetMigLayout(MigLayout {
            node,
            gpus,
            profiles,
        }),
        reason,
    )
}

fn decision(action: Action, reason: impl Into<String>) -> Decision {
    Decision {
        action,
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_matching_action_with_the_reason() {
        let decision = set_member_ratio(3, 40, "busy");
        assert_eq!(
            decision.action,
            Action::SetMemberRatio(MemberRatio {
                member: 3,
                ratio: 40
            })
        );
        assert_eq!(decision.reason, "busy");

        let decision = set_mig_layout(
            1,
            vec![8, 9],
            vec![ProfileCount {
                profile: "1g.10gb".into(),
                count: 7,
            }],
            "demand",
        );
        let Action::SetMigLayout(layout) = decision.action else {
            panic!("not a MIG layout: {decision:?}")
        };
        assert_eq!(
            (layout.node, layout.gpus, layout.profiles.len()),
            (1, vec![8, 9], 1)
        );
    }
}
