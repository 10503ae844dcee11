//! Conversions from the generated WIT types of a policy's output to the
//! model's decisions. (The snapshot going in needs none: the model uses the
//! contract's own snapshot types.)

use crate::model;

use crate::wit::types as wit;

pub(crate) fn action_kind(kind: wit::ActionKind) -> model::ActionKind {
    match kind {
        wit::ActionKind::MemberRatio => model::ActionKind::MemberRatio,
        wit::ActionKind::MemberState => model::ActionKind::MemberState,
        wit::ActionKind::CapacityScaler => model::ActionKind::CapacityScaler,
        wit::ActionKind::GroupSize => model::ActionKind::GroupSize,
        wit::ActionKind::MigLayout => model::ActionKind::MigLayout,
    }
}

/// The model's form of a WIT action, before validation.
pub(crate) fn action(action: wit::Action) -> model::Action {
    match action {
        wit::Action::SetMemberRatio(a) => model::Action::SetMemberRatio {
            member: a.member,
            ratio: a.ratio,
        },
        wit::Action::SetMemberState(a) => model::Action::SetMemberState {
            member: a.member,
            state: a.state,
        },
        wit::Action::SetCapacityScaler(a) => model::Action::SetCapacityScaler {
            group: a.group,
            scaler: a.scaler,
        },
        wit::Action::ResizeGroup(a) => model::Action::ResizeGroup {
            group: a.group,
            target_size: a.target_size,
        },
        wit::Action::SetMigLayout(a) => model::Action::SetMigLayout {
            node: a.node,
            gpus: a.gpus,
            profiles: a
                .profiles
                .into_iter()
                .map(|p| model::ProfileCount {
                    profile: p.profile,
                    count: p.count,
                })
                .collect(),
        },
    }
}
