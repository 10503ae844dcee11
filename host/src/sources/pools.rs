//! BIG-IP pools as a source: each managed pool's members — address, ratio,
//! administrative state, availability and connections — read through the
//! iControl REST client, and turned into snapshot rows and the node
//! identities telemetry is collected for.

use crate::backends::BigIp;
use crate::model::{Availability, MemberSample, MemberState, SnapshotBuilder};
use crate::sources::NodeIdentity;

/// The BIG-IP's managed pools could not be read; the source says why.
#[derive(Debug, thiserror::Error)]
#[error("bigip")]
pub struct PoolsError(#[source] pub fulcrum_bigip::Error);

/// The managed pools as the BIG-IP reports them now.
pub async fn observe(
    bigip: &BigIp,
) -> Result<Vec<fulcrum_bigip::source::PoolObservation>, PoolsError> {
    fulcrum_bigip::source::observe(&bigip.client, &bigip.pools)
        .await
        .map_err(PoolsError)
}

/// One node per distinct member address, named after the member's node.
pub fn node_identities(pools: &[fulcrum_bigip::source::PoolObservation]) -> Vec<NodeIdentity> {
    let mut nodes: Vec<NodeIdentity> = Vec::new();
    for member in pools.iter().flat_map(|p| &p.members) {
        if nodes.iter().any(|n| n.address == member.address) {
            continue;
        }
        nodes.push(NodeIdentity {
            name: node_name(member.member.name()).to_owned(),
            address: member.address.clone(),
            hostname: None,
        });
    }
    nodes
}

/// Add every pool and its members to `builder`.
pub fn add_to(builder: &mut SnapshotBuilder, pools: &[fulcrum_bigip::source::PoolObservation]) {
    for pool in pools {
        let members: Vec<MemberSample<'_>> = pool
            .members
            .iter()
            .map(|m| MemberSample {
                name: m.member.name(),
                address: &m.address,
                port: fulcrum_bigip::path::split_member_name(m.member.name())
                    .map_or(0, |(_, port)| port),
                ratio: m.ratio,
                state: member_state(m.admin_state),
                availability: availability(m.availability),
                current_connections: u32::try_from(m.current_connections).unwrap_or(u32::MAX),
                connection_limit: m.connection_limit,
            })
            .collect();
        builder.pool(
            pool.pool.name(),
            pool.pool.partition(),
            "ratio-member",
            &members,
        );
    }
}

/// `ml-node-1` of member `ml-node-1:80`.
fn node_name(member: &str) -> &str {
    fulcrum_bigip::path::split_member_name(member).map_or(member, |(node, _)| node)
}

/// The snapshot's member state for the BIG-IP's.
pub fn member_state(state: fulcrum_bigip::MemberState) -> MemberState {
    match state {
        fulcrum_bigip::MemberState::Enabled => MemberState::Enabled,
        fulcrum_bigip::MemberState::Disabled => MemberState::Disabled,
        fulcrum_bigip::MemberState::ForcedOffline => MemberState::ForcedOffline,
    }
}

fn availability(availability: fulcrum_bigip::source::Availability) -> Availability {
    match availability {
        fulcrum_bigip::source::Availability::Available => Availability::Available,
        fulcrum_bigip::source::Availability::Offline => Availability::Offline,
        fulcrum_bigip::source::Availability::Unknown => Availability::Unknown,
    }
}
