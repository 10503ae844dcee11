//! [`Change`]: one change to one backend object, named the way the backend
//! names it, with the value observed before and the value wanted.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Reason;

/// One change to apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// A BIG-IP pool member's ratio weight.
    MemberRatio {
        pool: String,
        member: String,
        from: u32,
        to: u32,
    },
    /// A BIG-IP pool member's administrative state (`enabled`, `disabled`,
    /// `forced-offline`).
    MemberState {
        pool: String,
        member: String,
        from: String,
        to: String,
    },
    /// The capacity scaler of a group's backend in a GCE backend service.
    CapacityScaler {
        backend_service: String,
        group: String,
        location: String,
        from: f32,
        to: f32,
    },
    /// A GCE managed instance group's target size.
    GroupSize {
        group: String,
        location: String,
        from: u32,
        to: u32,
    },
    /// A MIG layout for GPUs (by index on the node) of one node.
    MigLayout {
        node: String,
        gpus: Vec<u32>,
        profiles: Vec<(String, u32)>,
    },
}

impl Change {
    /// The object changed, as an operator names it ("mlPool/ml-node-1:80").
    pub fn target(&self) -> String {
        match self {
            Change::MemberRatio { pool, member, .. } | Change::MemberState { pool, member, .. } => {
                format!("{pool}/{member}")
            }
            Change::CapacityScaler {
                backend_service,
                group,
                ..
            } => format!("{backend_service}/{group}"),
            Change::GroupSize {
                group, location, ..
            } => format!("{location}/{group}"),
            Change::MigLayout { node, gpus, .. } => format!("{node}/gpu{gpus:?}"),
        }
    }

    /// The backend that carries it out: `bigip`, `gce` or `mig`.
    pub fn backend(&self) -> &'static str {
        match self {
            Change::MemberRatio { .. } | Change::MemberState { .. } => "bigip",
            Change::CapacityScaler { .. } | Change::GroupSize { .. } => "gce",
            Change::MigLayout { .. } => "mig",
        }
    }

    /// The kebab-case action kind this change carries out.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::MemberRatio { .. } => "member-ratio",
            Change::MemberState { .. } => "member-state",
            Change::CapacityScaler { .. } => "capacity-scaler",
            Change::GroupSize { .. } => "group-size",
            Change::MigLayout { .. } => "mig-layout",
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = self.target();
        match self {
            Change::MemberRatio { from, to, .. } => write!(f, "{target} ratio {from} → {to}"),
            Change::MemberState { from, to, .. } => write!(f, "{target} state {from} → {to}"),
            Change::CapacityScaler { from, to, .. } => {
                write!(f, "{target} capacity scaler {from} → {to}")
            }
            Change::GroupSize { from, to, .. } => write!(f, "{target} size {from} → {to}"),
            Change::MigLayout { profiles, .. } => {
                let layout: Vec<String> = profiles
                    .iter()
                    .map(|(profile, count)| format!("{count}×{profile}"))
                    .collect();
                write!(f, "{target} MIG layout [{}]", layout.join(", "))
            }
        }
    }
}

/// A change, the policy that asked for it and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedChange {
    pub policy: String,
    pub reason: Reason,
    pub change: Change,
}
