//! What policies propose: typed [`Action`]s with a reason, validated against
//! the snapshot they were made for before anything acts on them.

use std::fmt;

use super::reason::Reason;
use super::snapshot::MemberState;

/// The kinds of action a policy may propose; declared in its metadata and
/// granted per policy by the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    MemberRatio,
    MemberState,
    CapacityScaler,
    GroupSize,
    MigLayout,
}

impl ActionKind {
    /// Every kind, in declaration order.
    pub const ALL: [ActionKind; 5] = [
        ActionKind::MemberRatio,
        ActionKind::MemberState,
        ActionKind::CapacityScaler,
        ActionKind::GroupSize,
        ActionKind::MigLayout,
    ];

    /// The kebab-case name used in the WIT contract and in configuration.
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::MemberRatio => "member-ratio",
            ActionKind::MemberState => "member-state",
            ActionKind::CapacityScaler => "capacity-scaler",
            ActionKind::GroupSize => "group-size",
            ActionKind::MigLayout => "mig-layout",
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many instances of one MIG profile a layout holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCount {
    pub profile: String,
    pub count: u32,
}

/// One change, naming its target by row in the snapshot it was proposed for.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    SetMemberRatio {
        member: u32,
        ratio: u32,
    },
    SetMemberState {
        member: u32,
        state: MemberState,
    },
    SetCapacityScaler {
        group: u32,
        scaler: f32,
    },
    ResizeGroup {
        group: u32,
        target_size: u32,
    },
    SetMigLayout {
        node: u32,
        gpus: Vec<u32>,
        profiles: Vec<ProfileCount>,
    },
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::SetMemberRatio { .. } => ActionKind::MemberRatio,
            Action::SetMemberState { .. } => ActionKind::MemberState,
            Action::SetCapacityScaler { .. } => ActionKind::CapacityScaler,
            Action::ResizeGroup { .. } => ActionKind::GroupSize,
            Action::SetMigLayout { .. } => ActionKind::MigLayout,
        }
    }
}

/// An action and the policy's reason for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub action: Action,
    pub reason: Reason,
}
