//! Conversions from the generated WIT types of a policy's metadata to the
//! model's. (The snapshot going in needs none: the model uses the contract's
//! own snapshot types; decisions coming out are converted as they are
//! checked, in [`super::output`].)

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
