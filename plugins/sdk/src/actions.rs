//! Functions that build [`Decision`]s, one per kind of [`Action`].
//!
//! Rows are those of the snapshot being decided on (see
//! [`MemberView::row`](crate::MemberView::row), [`GroupView::row`](crate::GroupView::row));
//! the reason is shown to operators and kept in the audit log, so say why in a
//! short sentence ("GPU 3 at 91 °C, throttled: ratio 40 → 25").

use crate::{
    Action, CapacityScaler, Decision, GroupSize, MemberRatio, MemberState, MemberStateChange,
    MigLayout, ProfileCount, Row,
};

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
