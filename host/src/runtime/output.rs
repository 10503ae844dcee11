//! Checks a policy's decisions against the contract before anything acts on
//! them: rows inside the snapshot, values in range, only declared kinds.

use crate::model::{Action, ActionKind, Decision};

use super::convert;
use crate::wit::types as wit;

/// Longest reason kept, in bytes.
const MAX_REASON_BYTES: usize = 1024;

/// Convert and check `decisions`; the first violation names the decision.
pub(crate) fn validate(
    decisions: Vec<wit::Decision>,
    snapshot: &wit::Snapshot,
    declared: &[ActionKind],
) -> Result<Vec<Decision>, String> {
    decisions
        .into_iter()
        .enumerate()
        .map(|(i, decision)| {
            let action = convert::action(decision.action);
            check(&action, &decision.reason, snapshot, declared)
                .map_err(|reason| format!("decision {i} ({}): {reason}", action.kind()))?;
            Ok(Decision {
                action,
                reason: decision.reason,
            })
        })
        .collect()
}

fn check(
    action: &Action,
    reason: &str,
    s: &wit::Snapshot,
    declared: &[ActionKind],
) -> Result<(), String> {
    if !declared.contains(&action.kind()) {
        return Err("the policy did not declare this action kind in its metadata".into());
    }
    if reason.trim().is_empty() {
        return Err("the reason is empty".into());
    }
    if reason.len() > MAX_REASON_BYTES {
        return Err(format!(
            "the reason is {} bytes; at most {MAX_REASON_BYTES}",
            reason.len()
        ));
    }
    match *action {
        Action::SetMemberRatio { member, ratio } => {
            row("member", member, s.members.pool.len())?;
            if !(1..=65535).contains(&ratio) {
                return Err(format!("ratio {ratio} is out of range; expected 1..=65535"));
            }
        }
        Action::SetMemberState { member, .. } => row("member", member, s.members.pool.len())?,
        Action::SetCapacityScaler { group, scaler } => {
            row("group", group, s.instance_groups.name.len())?;
            if s.instance_groups.backend_service[group as usize] == crate::model::NONE {
                return Err(format!(
                    "group {group} is not the backend of any backend service"
                ));
            }
            if !(scaler == 0.0 || (0.1..=1.0).contains(&scaler)) {
                return Err(format!(
                    "capacity scaler {scaler} is out of range; expected 0 or 0.1..=1"
                ));
            }
        }
        Action::ResizeGroup { group, .. } => row("group", group, s.instance_groups.name.len())?,
        Action::SetMigLayout {
            node,
            ref gpus,
            ref profiles,
        } => {
            row("node", node, s.nodes.name.len())?;
            if gpus.is_empty() {
                return Err("the layout names no GPU".into());
            }
            for &gpu in gpus {
                row("gpu", gpu, s.gpus.node.len())?;
                if s.gpus.node[gpu as usize] != node {
                    return Err(format!("gpu {gpu} is not on node {node}"));
                }
            }
            if let Some(p) = profiles
                .iter()
                .find(|p| p.profile.is_empty() || p.count == 0)
            {
                return Err(format!(
                    "profile {:?} with count {} is not a valid entry",
                    p.profile, p.count
                ));
            }
        }
    }
    Ok(())
}

fn row(table: &str, index: u32, len: usize) -> Result<(), String> {
    if (index as usize) < len {
        Ok(())
    } else {
        Err(format!(
            "{table} row {index} does not exist; the snapshot has {len}"
        ))
    }
}
