//! What an action changes, named the way an operator knows it: the snapshot
//! row an action refers to, resolved to its pool and member, instance group or
//! node. Grants match these names, conflicts key on them, and every message
//! and audit record quotes them.

use std::fmt;

use crate::model::{Action, ActionKind, Code, Snapshot};

/// The pool, group or node an action changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A pool member: its pool's name and its own.
    Member { pool: String, member: String },
    /// A managed instance group: its name and zone or region.
    Group { name: String, location: String },
    /// A GPU node.
    Node { name: String },
}

impl Target {
    /// The target of `action` in `snapshot`; `None` when the row it names is
    /// outside the snapshot.
    pub fn of(snapshot: &Snapshot, action: &Action) -> Option<Target> {
        match *action {
            Action::SetMemberRatio { member, .. } | Action::SetMemberState { member, .. } => {
                let row = member as usize;
                let pool = *snapshot.members.pool.get(row)?;
                Some(Target::Member {
                    pool: snapshot
                        .string(*snapshot.pools.name.get(pool as usize)?)
                        .to_owned(),
                    member: snapshot.string(snapshot.members.name[row]).to_owned(),
                })
            }
            Action::SetCapacityScaler { group, .. } | Action::ResizeGroup { group, .. } => {
                let row = group as usize;
                let groups = &snapshot.instance_groups;
                Some(Target::Group {
                    name: snapshot.string(*groups.name.get(row)?).to_owned(),
                    location: snapshot.string(groups.location[row]).to_owned(),
                })
            }
            Action::SetMigLayout { node, .. } => Some(Target::Node {
                name: snapshot
                    .string(*snapshot.nodes.name.get(node as usize)?)
                    .to_owned(),
            }),
        }
    }

    /// The name grants match: the pool for members, else the group or node.
    pub fn scope_name(&self) -> &str {
        match self {
            Target::Member { pool, .. } => pool,
            Target::Group { name, .. } | Target::Node { name } => name,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Member { pool, member } => write!(f, "pool {pool} member {member}"),
            Target::Group { name, location } => write!(f, "group {name} ({location})"),
            Target::Node { name } => write!(f, "node {name}"),
        }
    }
}

/// What `action` sets, in words: "ratio 20", "state disabled", "size 4".
pub fn action_value(action: &Action) -> String {
    match action {
        Action::SetMemberRatio { ratio, .. } => format!("ratio {ratio}"),
        Action::SetMemberState { state, .. } => format!("state {}", state.name()),
        Action::SetCapacityScaler { scaler, .. } => format!("capacity scaler {scaler}"),
        Action::ResizeGroup { target_size, .. } => format!("size {target_size}"),
        Action::SetMigLayout { gpus, profiles, .. } => {
            let layout: Vec<String> = profiles
                .iter()
                .map(|p| format!("{}x{}", p.count, p.profile))
                .collect();
            let layout = if layout.is_empty() {
                "MIG disabled".to_owned()
            } else {
                layout.join(" + ")
            };
            format!("layout {layout} on gpu rows {gpus:?}")
        }
    }
}

/// Two actions conflict when they set the same thing on the same row.
pub(crate) fn conflict_key(action: &Action) -> (ActionKind, u32) {
    let row = match *action {
        Action::SetMemberRatio { member, .. } | Action::SetMemberState { member, .. } => member,
        Action::SetCapacityScaler { group, .. } | Action::ResizeGroup { group, .. } => group,
        Action::SetMigLayout { node, .. } => node,
    };
    (action.kind(), row)
}
