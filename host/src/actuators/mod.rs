//! Actuators apply a [`Plan`] with the backends' own wire protocols:
//! [`bigip`] writes each pool's changes in one iControl REST transaction,
//! [`gce`] resizes groups and patches backend capacity through Compute
//! operations waited to completion. Every change gets its own result, in plan
//! order; a change no backend is configured for fails with that reason.

pub mod bigip;
pub mod gce;

use crate::backends::Backends;
use crate::plan::{Change, Plan};

/// The result of applying one planned change.
pub type ChangeResult = Result<(), String>;

/// Apply `plan`; one result per change, in plan order. MIG layouts are not
/// applied here: the host drives them through a drain-reconfigure-restore
/// sequence over several cycles.
pub async fn apply(backends: &Backends, plan: &Plan) -> Vec<ChangeResult> {
    let mut results: Vec<Option<ChangeResult>> = vec![None; plan.changes.len()];
    let member_changes: Vec<(usize, &Change)> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            matches!(
                c.change,
                Change::MemberRatio { .. } | Change::MemberState { .. }
            )
        })
        .map(|(i, c)| (i, &c.change))
        .collect();
    if !member_changes.is_empty() {
        match &backends.bigip {
            Some(bigip) => {
                for (index, result) in bigip::apply(bigip, &member_changes).await {
                    results[index] = Some(result);
                }
            }
            None => fail_all(&mut results, &member_changes, "no [bigip] is configured"),
        }
    }
    let group_changes: Vec<(usize, &Change)> = plan
        .changes
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            matches!(
                c.change,
                Change::GroupSize { .. } | Change::CapacityScaler { .. }
            )
        })
        .map(|(i, c)| (i, &c.change))
        .collect();
    if !group_changes.is_empty() {
        match &backends.gce {
            Some(gce) => {
                for (index, result) in gce::apply(gce, &group_changes).await {
                    results[index] = Some(result);
                }
            }
            None => fail_all(&mut results, &group_changes, "no [gce] is configured"),
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("MIG layouts are applied by the MIG rollout".to_owned())))
        .collect()
}

fn fail_all(results: &mut [Option<ChangeResult>], changes: &[(usize, &Change)], why: &str) {
    for (index, _) in changes {
        results[*index] = Some(Err(why.to_owned()));
    }
}
