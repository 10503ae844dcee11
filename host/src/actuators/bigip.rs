//! Member ratio and state changes, grouped per pool into the change sets the
//! BIG-IP actuator applies one transaction per pool: a pool's changes all
//! apply or none do. The plan already holds only what differs from the pools
//! as this cycle read them, so the actuator writes it without reading them
//! again.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{ApplyError, ChangeResult};
use crate::backends::BigIp;
use crate::plan::Change;

/// Apply the member changes (plan index, change); one result per change.
pub async fn apply(bigip: &BigIp, changes: &[(usize, &Change)]) -> Vec<(usize, ChangeResult)> {
    let mut by_pool: BTreeMap<&str, (Vec<usize>, fulcrum_bigip::PoolChangeSet)> = BTreeMap::new();
    for &(index, change) in changes {
        let (pool, member, ratio, state) = match change {
            Change::MemberRatio {
                pool, member, to, ..
            } => (pool, member, Some(*to), None),
            Change::MemberState {
                pool, member, to, ..
            } => (pool, member, None, Some(state(to))),
            _ => continue,
        };
        let (indexes, set) = by_pool.entry(pool).or_insert_with(|| {
            (
                Vec::new(),
                fulcrum_bigip::PoolChangeSet {
                    pool: managed_path(bigip, pool),
                    members: Vec::new(),
                },
            )
        });
        indexes.push(index);
        match set.members.iter_mut().find(|m| m.member == *member) {
            Some(existing) => {
                existing.ratio = ratio.or(existing.ratio);
                existing.state = state.or(existing.state);
            }
            None => set.members.push(fulcrum_bigip::MemberChange {
                member: member.clone(),
                ratio,
                state,
                connection_limit: None,
            }),
        }
    }
    let (indexes, sets): (Vec<Vec<usize>>, Vec<fulcrum_bigip::PoolChangeSet>) =
        by_pool.into_values().unzip();
    // The plan was diffed against the pools read at the start of this cycle.
    let outcomes = fulcrum_bigip::Actuator::new(bigip.client.clone())
        .with_baseline(fulcrum_bigip::Baseline::Caller)
        .with_transaction_concurrency(bigip.transaction_concurrency)
        .apply(&sets)
        .await;
    indexes
        .into_iter()
        .zip(outcomes)
        .flat_map(|(indexes, outcome)| {
            let result = match outcome.result {
                fulcrum_bigip::PoolResult::Failed(err) => Err(ApplyError::BigIp(Arc::new(err))),
                _ => Ok(()),
            };
            indexes.into_iter().map(move |i| (i, result.clone()))
        })
        .collect()
}

/// The managed pool's full path for the pool name the snapshot carries.
fn managed_path(bigip: &BigIp, pool: &str) -> String {
    bigip
        .pools
        .iter()
        .find(|p| p.name() == pool)
        .map_or_else(|| pool.to_owned(), |p| p.as_str().to_owned())
}

fn state(name: &str) -> fulcrum_bigip::MemberState {
    match name {
        "disabled" => fulcrum_bigip::MemberState::Disabled,
        "forced-offline" => fulcrum_bigip::MemberState::ForcedOffline,
        _ => fulcrum_bigip::MemberState::Enabled,
    }
}
