//! Actuators apply a [`Plan`] with the backends' own wire protocols:
//! [`bigip`] writes each pool's changes in one iControl REST transaction,
//! [`gce`] resizes groups and patches backend capacity through Compute
//! operations waited to completion; [`mig`] rolls MIG layouts out over
//! several cycles (drain, reconfigure, restore). Every change gets its own
//! result, in plan order; a change no backend is configured for fails with
//! that reason ([`ApplyError`]).

pub mod bigip;
mod error;
pub mod gce;
pub mod mig;

pub use error::ApplyError;

use crate::backends::Backends;
use crate::plan::{Change, Plan};

/// The result of applying one planned change.
pub type ChangeResult = Result<(), ApplyError>;

/// Apply `plan`; one result per change, in plan order. MIG layouts are not
/// applied here: the host drives them through a drain-reconfigure-restore
/// sequence over several cycles.
pub async fn apply(backends: &Backends, plan: &Plan) -> Vec<ChangeResult> {
    let mut results: Vec<Option<ChangeResult>> = vec![None; plan.changes.len()];
    let member_changes = select(plan, |c| {
        matches!(c, Change::MemberRatio { .. } | Change::MemberState { .. })
    });
    let applied = match (&backends.bigip, member_changes.is_empty()) {
        (_, true) => Vec::new(),
        (Some(bigip), false) => bigip::apply(bigip, &member_changes).await,
        (None, false) => failed(&member_changes, "bigip"),
    };
    let group_changes = select(plan, |c| {
        matches!(c, Change::GroupSize { .. } | Change::CapacityScaler { .. })
    });
    let grouped = match (&backends.gce, group_changes.is_empty()) {
        (_, true) => Vec::new(),
        (Some(gce), false) => gce::apply(gce, &group_changes).await,
        (None, false) => failed(&group_changes, "gce"),
    };
    for (index, result) in applied.into_iter().chain(grouped) {
        results[index] = Some(result);
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or(Err(ApplyError::MigRolloutOnly)))
        .collect()
}

/// The changes `wanted` picks, with their index in the plan.
fn select(plan: &Plan, wanted: impl Fn(&Change) -> bool) -> Vec<(usize, &Change)> {
    plan.changes
        .iter()
        .enumerate()
        .filter(|(_, c)| wanted(&c.change))
        .map(|(i, c)| (i, &c.change))
        .collect()
}

/// Every change in `changes` failed: no `[backend]` is configured.
fn failed(changes: &[(usize, &Change)], backend: &'static str) -> Vec<(usize, ChangeResult)> {
    changes
        .iter()
        .map(|(index, _)| (*index, Err(ApplyError::NotConfigured { backend })))
        .collect()
}
