//! Conversions between the host's model and the generated types of each
//! contract version: the snapshot packed for a 0.3.0 policy ([`packed`]),
//! a 0.2.0 policy's answers in the current contract's types ([`v0_2`]), and
//! a policy's action kinds in the model's. (A 0.2.0 policy takes the model's
//! snapshot as it is; decisions are converted to the model's as they are
//! checked, in [`super::output`].)

pub(crate) mod packed;
pub(crate) mod v0_2;

use crate::model;

use crate::wit::current::types as wit;

pub(crate) fn action_kind(kind: wit::ActionKind) -> model::ActionKind {
    match kind {
        wit::ActionKind::MemberRatio => model::ActionKind::MemberRatio,
        wit::ActionKind::MemberState => model::ActionKind::MemberState,
        wit::ActionKind::CapacityScaler => model::ActionKind::CapacityScaler,
        wit::ActionKind::GroupSize => model::ActionKind::GroupSize,
        wit::ActionKind::MigLayout => model::ActionKind::MigLayout,
    }
}
