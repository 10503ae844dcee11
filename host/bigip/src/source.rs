//! Reads what the box has now for the configured pools: each member's address, ratio,
//! connection limit, administrative state, availability and current server-side connections.

use std::collections::BTreeMap;

use crate::actuator::MemberState;
use crate::client::{Client, Error};
use crate::path::{FullPath, split_member_name};
use crate::wire::{self, StatsLeaf};

/// One pool as observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolObservation {
    /// The pool's full path.
    pub pool: FullPath,
    /// Its members, in the device's order.
    pub members: Vec<MemberObservation>,
}

/// One pool member as observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberObservation {
    /// Full path, e.g. `/Common/ml-node-1:80`.
    pub member: FullPath,
    /// The node's address, e.g. `127.0.1.1`.
    pub address: String,
    /// Load-balancing weight.
    pub ratio: u32,
    /// Concurrent connection cap; 0 = unlimited.
    pub connection_limit: u32,
    /// Administrative state, from `session`/`state`.
    pub admin_state: MemberState,
    /// `status.enabledState == enabled` in the stats.
    pub enabled: bool,
    /// `status.availabilityState` in the stats.
    pub availability: Availability,
    /// `serverside.curConns` in the stats.
    pub current_connections: u64,
}

/// Whether the device would send traffic to a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// The monitor says up.
    Available,
    /// The monitor says down, or the member is forced offline.
    Offline,
    /// No monitor applies, or the device has not decided yet.
    Unknown,
}

impl Availability {
    fn from_stats(description: Option<&str>) -> Availability {
        match description {
            Some("available") => Availability::Available,
            Some("offline") => Availability::Offline,
            _ => Availability::Unknown,
        }
    }
}

/// Reads every pool in `pools` (two GETs each: members and member stats).
pub async fn observe(client: &Client, pools: &[FullPath]) -> Result<Vec<PoolObservation>, Error> {
    let mut observations = Vec::with_capacity(pools.len());
    for pool in pools {
        let (members, stats) =
            tokio::try_join!(client.pool_members(pool), client.pool_member_stats(pool))?;
        observations.push(PoolObservation {
            pool: pool.clone(),
            members: join_stats(&members, &stats),
        });
    }
    Ok(observations)
}

/// Pairs each member with its stats entry, matched on `nodeName` and `port`. A member with no
/// stats entry reads as enabled per its admin state, availability unknown, no connections.
pub fn join_stats(members: &[wire::PoolMember], stats: &wire::Stats) -> Vec<MemberObservation> {
    let objects = stats.objects();
    let mut by_member: BTreeMap<(String, u64), &BTreeMap<&str, &StatsLeaf>> = BTreeMap::new();
    for leaves in objects.values() {
        let node = leaves.get("nodeName").and_then(|leaf| leaf.description());
        let port = leaves.get("port").and_then(|leaf| leaf.value());
        if let (Some(node), Some(port)) = (node, port) {
            by_member.insert((FullPath::parse(node).to_string(), port), leaves);
        }
    }
    members
        .iter()
        .map(|member| {
            let path = FullPath::parse(&member.full_path);
            let key = split_member_name(&member.name).map(|(node, port)| {
                (
                    FullPath::new(&member.partition, node).to_string(),
                    u64::from(port),
                )
            });
            let leaves = key.and_then(|key| by_member.get(&key).copied());
            let description = |name: &str| {
                leaves
                    .and_then(|l| l.get(name))
                    .and_then(|leaf| leaf.description())
            };
            let admin_state = MemberState::from_wire(&member.session, &member.state);
            MemberObservation {
                member: path,
                address: member.address.clone(),
                ratio: member.ratio,
                connection_limit: member.connection_limit,
                admin_state,
                enabled: description("status.enabledState")
                    .map_or(admin_state == MemberState::Enabled, |s| s == "enabled"),
                availability: Availability::from_stats(description("status.availabilityState")),
                current_connections: leaves
                    .and_then(|l| l.get("serverside.curConns"))
                    .and_then(|leaf| leaf.value())
                    .unwrap_or(0),
            }
        })
        .collect()
}
