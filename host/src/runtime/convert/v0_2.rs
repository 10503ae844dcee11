//! A `fulcrum:policy@0.2.0` policy's metadata and decisions in the current
//! contract's types. 0.3.0 changed neither, so every field moves across as
//! it is; the records are destructured whole so that a field added to
//! either version breaks the build here.

use crate::wit::current::types as new;
use crate::wit::v0_2::types as old;

pub(crate) fn metadata(metadata: old::Metadata) -> new::Metadata {
    let old::Metadata {
        name,
        version,
        description,
        action_kinds,
    } = metadata;
    new::Metadata {
        name,
        version,
        description,
        action_kinds: action_kinds.into_iter().map(action_kind).collect(),
    }
}

fn action_kind(kind: old::ActionKind) -> new::ActionKind {
    match kind {
        old::ActionKind::MemberRatio => new::ActionKind::MemberRatio,
        old::ActionKind::MemberState => new::ActionKind::MemberState,
        old::ActionKind::CapacityScaler => new::ActionKind::CapacityScaler,
        old::ActionKind::GroupSize => new::ActionKind::GroupSize,
        old::ActionKind::MigLayout => new::ActionKind::MigLayout,
    }
}

pub(crate) fn decisions(decisions: old::Decisions) -> new::Decisions {
    let old::Decisions {
        reasons: old::StringTable { text, offsets },
        member_states:
            old::MemberStates {
                member: state_member,
                state,
                reason: state_reason,
            },
        member_ratios:
            old::MemberRatios {
                member: ratio_member,
                ratio,
                reason: ratio_reason,
            },
        capacity_scalers:
            old::CapacityScalers {
                group: scaler_group,
                scaler,
                reason: scaler_reason,
            },
        group_sizes:
            old::GroupSizes {
                group: size_group,
                target_size,
                reason: size_reason,
            },
        mig_layouts,
    } = decisions;
    new::Decisions {
        reasons: new::StringTable { text, offsets },
        member_states: new::MemberStates {
            member: state_member,
            state,
            reason: state_reason,
        },
        member_ratios: new::MemberRatios {
            member: ratio_member,
            ratio,
            reason: ratio_reason,
        },
        capacity_scalers: new::CapacityScalers {
            group: scaler_group,
            scaler,
            reason: scaler_reason,
        },
        group_sizes: new::GroupSizes {
            group: size_group,
            target_size,
            reason: size_reason,
        },
        mig_layouts: mig_layouts.into_iter().map(mig_layout).collect(),
    }
}

fn mig_layout(layout: old::MigLayout) -> new::MigLayout {
    let old::MigLayout {
        node,
        gpus,
        profiles,
        reason,
    } = layout;
    new::MigLayout {
        node,
        gpus,
        profiles: profiles
            .into_iter()
            .map(|old::ProfileCount { profile, count }| new::ProfileCount { profile, count })
            .collect(),
        reason,
    }
}
