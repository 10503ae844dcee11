//! [`BigIpDrain`]: the rollout's [`Drain`] over the managed BIG-IP pools.
//! A member belongs to the node its name starts with (`ml-node-1:80` is on
//! `ml-node-1`), the rule the pools source names nodes by; each enable or
//! disable is one change set through the BIG-IP actuator, so it lands in one
//! transaction or not at all.

use fulcrum_bigip::source::{MemberObservation, observe};
use fulcrum_bigip::{Actuator, MemberChange, MemberState, PoolChangeSet, PoolResult};

use super::drain::{Drain, MemberId, MemberStatus, PoolMembers};
use crate::backends::BigIp;
use crate::sources::pools::member_state;

/// Why the BIG-IP could not be read or changed for a drain.
#[derive(Debug, thiserror::Error)]
pub enum BigIpDrainError {
    #[error("bigip: reading the pools of {node}: {source}")]
    Pools {
        node: String,
        #[source]
        source: fulcrum_bigip::Error,
    },
    /// The member's change set was not applied.
    #[error("bigip: {0}")]
    Apply(#[source] fulcrum_bigip::actuator::ApplyError),
    /// The actuator reported nothing for the member's change set.
    #[error("bigip: no outcome for {member}")]
    NoOutcome { member: MemberId },
}

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
    type Error = BigIpDrainError;

    async fn pools(&mut self, node: &str) -> Result<Vec<PoolMembers>, BigIpDrainError> {
        let pools = observe(&self.bigip.client, &self.bigip.pools)
            .await
            .map_err(|source| BigIpDrainError::Pools {
                node: node.to_owned(),
                source,
            })?;
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

    async fn set_enabled(
        &mut self,
        member: &MemberId,
        enabled: bool,
    ) -> Result<(), BigIpDrainError> {
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
            Some(PoolResult::Failed(err)) => Err(BigIpDrainError::Apply(err)),
            Some(_) => Ok(()),
            None => Err(BigIpDrainError::NoOutcome {
                member: member.clone(),
            }),
        }
    }
}

/// The node a member is on, by its name.
fn node_of(member: &MemberObservation) -> &str {
    let name = member.member.name();
    fulcrum_bigip::path::split_member_name(name).map_or(name, |(node, _)| node)
}
