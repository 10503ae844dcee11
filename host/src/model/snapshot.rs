//! The columnar snapshot. Its types are the contract's own, unpacked: those
//! of `fulcrum:policy@0.2.0`'s `snapshot` (generated in [`crate::wit`]), one
//! list element per number, which a 0.2.0 policy receives as they are and a
//! 0.3.0 policy receives packed column by column; see `wit/types.wit` for the
//! meaning and unit of every column. This module adds the accessors the host
//! needs.

use std::ops::Range;

pub use crate::wit::v0_2::types::{
    Availability, Gpus, Health, InstanceAction, InstanceGroups, InstanceStatus, Instances, Labels,
    MemberState, Members, MigInstances, Nodes, Pools, Signals, Snapshot, StringTable,
};

use super::codes::Code;
use super::strings::StringId;

/// Marks an absent row index or string id.
pub const NONE: u32 = u32::MAX;

impl Snapshot {
    /// A snapshot with no rows and no strings.
    pub fn empty() -> Snapshot {
        Snapshot {
            version: 0,
            time_ms: 0,
            strings: StringTable {
                text: String::new(),
                offsets: vec![0],
            },
            nodes: Nodes {
                name: vec![],
                address: vec![],
                health: vec![],
                telemetry_age_ms: vec![],
                stale: vec![],
                gpu_start: vec![],
                label_start: vec![],
            },
            labels: Labels {
                node: vec![],
                key: vec![],
                value: vec![],
            },
            gpus: Gpus {
                node: vec![],
                index: vec![],
                uuid_high: vec![],
                uuid_low: vec![],
                model: vec![],
                utilization: vec![],
                tensor_activity: vec![],
                memory_used_mib: vec![],
                memory_total_mib: vec![],
                temperature_c: vec![],
                power_w: vec![],
                power_limit_w: vec![],
                throttled: vec![],
                last_xid: vec![],
                health: vec![],
                mig_enabled: vec![],
                mig_start: vec![],
            },
            mig_instances: MigInstances {
                gpu: vec![],
                profile: vec![],
                instance_id: vec![],
                placement_start: vec![],
                placement_size: vec![],
                utilization: vec![],
                memory_used_mib: vec![],
                memory_total_mib: vec![],
            },
            pools: Pools {
                name: vec![],
                partition: vec![],
                load_balancing_mode: vec![],
                member_start: vec![],
            },
            members: Members {
                pool: vec![],
                node: vec![],
                name: vec![],
                address: vec![],
                port: vec![],
                ratio: vec![],
                state: vec![],
                availability: vec![],
                current_connections: vec![],
                connection_limit: vec![],
            },
            instance_groups: InstanceGroups {
                name: vec![],
                location: vec![],
                target_size: vec![],
                current_size: vec![],
                min_size: vec![],
                max_size: vec![],
                backend_service: vec![],
                capacity_scaler: vec![],
                instance_start: vec![],
            },
            instances: Instances {
                group: vec![],
                node: vec![],
                name: vec![],
                status: vec![],
                action: vec![],
                serving: vec![],
                last_error: vec![],
            },
            signals: Signals {
                name: vec![],
                value: vec![],
            },
        }
    }

    /// The interned string `id`, or "" when it is absent.
    pub fn string(&self, id: StringId) -> &str {
        self.strings.get(id).unwrap_or("")
    }

    /// Rows of `node`'s GPUs.
    pub fn node_gpus(&self, node: u32) -> Range<usize> {
        child_range(&self.nodes.gpu_start, node, self.gpus.node.len())
    }

    /// Rows of GPU `gpu`'s MIG instances.
    pub fn gpu_mig_instances(&self, gpu: u32) -> Range<usize> {
        child_range(&self.gpus.mig_start, gpu, self.mig_instances.gpu.len())
    }

    /// Rows of `pool`'s members.
    pub fn pool_members(&self, pool: u32) -> Range<usize> {
        child_range(&self.pools.member_start, pool, self.members.pool.len())
    }

    /// Health of node `row`.
    pub fn node_health(&self, row: u32) -> Health {
        Health::from_code(self.nodes.health[row as usize])
    }

    /// Administrative state of member `row`.
    pub fn member_state(&self, row: u32) -> MemberState {
        MemberState::from_code(self.members.state[row as usize])
    }

    /// Row of the node called `name`.
    pub fn node_by_name(&self, name: &str) -> Option<u32> {
        self.nodes
            .name
            .iter()
            .position(|&id| self.string(id) == name)
            .map(|row| row as u32)
    }

    /// Row of the member called `name` in the pool called `pool`.
    pub fn member_by_name(&self, pool: &str, name: &str) -> Option<u32> {
        let pool_row = self
            .pools
            .name
            .iter()
            .position(|&id| self.string(id) == pool)?;
        self.pool_members(pool_row as u32)
            .find(|&row| self.string(self.members.name[row]) == name)
            .map(|row| row as u32)
    }
}

/// Children of `parent` are rows `start[parent]..start[parent + 1]`, the last
/// parent's running to the end of the child table.
fn child_range(start: &[u32], parent: u32, child_count: usize) -> Range<usize> {
    let parent = parent as usize;
    let begin = start.get(parent).map_or(child_count, |&s| s as usize);
    let end = start.get(parent + 1).map_or(child_count, |&s| s as usize);
    begin..end
}
