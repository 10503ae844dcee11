//! The rollout's load-balancer side: the [`Drain`] seam a rollout drains and
//! restores a node through, the pools and members it reports, and
//! [`plan_drain`], which picks the members to disable or refuses when a pool
//! would be left with no enabled member.

use std::error::Error;
use std::fmt;
use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::model::MemberState;

/// A pool member, by pool and member name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MemberId {
    /// Pool name, with its partition where the load balancer has them ("/Common/mlPool").
    pub pool: String,
    /// Member name ("ml-node-1:8080").
    pub member: String,
}

impl fmt::Display for MemberId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.member, self.pool)
    }
}

/// One pool and every member in it, as the [`Drain`] side reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolMembers {
    /// Pool name.
    pub pool: String,
    /// All of the pool's members.
    pub members: Vec<MemberStatus>,
}

/// A member and whether it takes new connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStatus {
    /// Member name.
    pub name: String,
    /// The node serving it; `None` when no node matches its address.
    pub node: Option<String>,
    /// Its administrative state.
    pub state: MemberState,
}

impl MemberStatus {
    /// Takes new connections.
    pub fn enabled(&self) -> bool {
        self.state == MemberState::Enabled
    }
}

/// The load-balancer side a rollout drains and restores through.
pub trait Drain {
    /// Names the pool or member and what failed; a failed step keeps it as
    /// its cause.
    type Error: Error + Send + Sync + 'static;

    /// Every pool that has a member on `node`, with all its members.
    fn pools(
        &mut self,
        node: &str,
    ) -> impl Future<Output = Result<Vec<PoolMembers>, Self::Error>> + Send;

    /// Enable or disable one member.
    fn set_enabled(
        &mut self,
        member: &MemberId,
        enabled: bool,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Why a node may not be drained.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "draining {node} would leave pool {pool} with no enabled member (its enabled members {members:?} are all on {node})"
)]
pub struct DrainRefused {
    /// The node to drain.
    pub node: String,
    /// The pool that would be left empty.
    pub pool: String,
    /// The pool's enabled members, all on the node.
    pub members: Vec<String>,
}

/// The enabled members on `node` in `pools`, or a refusal when disabling them
/// would leave any pool without an enabled member.
pub fn plan_drain(node: &str, pools: &[PoolMembers]) -> Result<Vec<MemberId>, DrainRefused> {
    let mut plan = Vec::new();
    for pool in pools {
        let on_node = |m: &&MemberStatus| m.node.as_deref() == Some(node);
        let drained: Vec<&MemberStatus> = pool
            .members
            .iter()
            .filter(|m| m.enabled())
            .filter(on_node)
            .collect();
        let remaining = pool
            .members
            .iter()
            .filter(|m| m.enabled() && !on_node(m))
            .count();
        if !drained.is_empty() && remaining == 0 {
            return Err(DrainRefused {
                node: node.to_owned(),
                pool: pool.pool.clone(),
                members: drained.iter().map(|m| m.name.clone()).collect(),
            });
        }
        plan.extend(drained.into_iter().map(|m| MemberId {
            pool: pool.pool.clone(),
            member: m.name.clone(),
        }));
    }
    plan.sort();
    Ok(plan)
}
