//! [`BigIpDrain`]: the rollout's [`Drain`] over the managed BIG-IP pools.
//! A member belongs to the node its name starts with (`ml-node-1:80` is on
//! `ml-node-1`), the rule the pools source names nodes by; each enable or
//! disable is one change set through the BIG-IP actuator, so it lands in one
//! transaction or not at all.

use fulcrum_bigip::source::{MemberObservation, observe};
use fulcrum_bigip::{Actuator, MemberChange, MemberState, PoolChangeSet, PoolResult};

use super::drain::{Drain, MemberId, MemberStatus, PoolMembers};
use crate::backends::BigIp;
use crate::error_chain::with_causes;
use crate::sources::pools::member_state;

/// Drains and restores nodes through one BIG-IP.
pub struct BigIpDrain<'a> {
    bigip: &'a BigIp,
}

impl<'a> BigIpDrain<'a> {
    /// Drain through `bigip`'s managed pools.
    pub fn new(bigip: &'a BigIp) -> Self {
        BigIpDrain { bigip }
    }
}

impl Drain for BigIpDrain<'_> {
    type Error = String;

    async fn pools(&mut self, node: &str) -> Result<Vec<PoolMembers>, String> {
        let pools = observe(&self.bigip.client, &self.bigip.pools)
            .await
            .map_err(|err| format!("bigip: reading the pools of {node}: {}", with_causes(&err)))?;
        Ok(pools
            .into_iter()
            .filter(|pool| pool.members.iter().any(|m| node_of(m) == node))
            .map(|pool| PoolMembers {
                pool: pool.pool.as_str().to_owned(),
                members: pool
                    .members
                    .iter()
                    .map(|m| MemberStatus {
                        name: m.member.as_str().to_owned(),
                        node: Some(node_of(m).to_owned()),
                        state: member_state(m.admin_state),
                    })
                    .collect(),
            })
            .collect())
    }

    async fn set_enabled(&mut self, member: &MemberId, enabled: bool) -> Result<(), String> {
        let state = if enabled {
            MemberState::Enabled
        } else {
            MemberState::Disabled
        };
        let change = PoolChangeSet {
            pool: member.pool.clone(),
            members: vec![MemberChange {
                member: member.member.clone(),
                state: Some(state),
                ..MemberChange::default()
            }],
        };
        let outcomes = Actuator::new(self.bigip.client.clone())
            .apply(&[change])
            .await;
        match outcomes.into_iter().next().map(|outcome| outcome.result) {
            Some(PoolResult::Failed(err)) => Err(format!("bigip: {}", with_causes(&err))),
            Some(_) => Ok(()),
            None => Err(format!("bigip: no outcome for {member}")),
        }
    }
}

/// The node a member is on, by its name.
fn node_of(member: &MemberObservation) -> &str {
    let name = member.member.name();
    fulcrum_bigip::path::split_member_name(name).map_or(name, |(node, _)| node)
}
