//! The columnar snapshot: one struct of equally long columns per table, exactly
//! the shape of `fulcrum:policy/types.snapshot` (see `wit/types.wit` for the
//! meaning and unit of every column).

use super::strings::{StringId, StringTable};

/// Marks an absent row index or string id.
pub const NONE: u32 = u32::MAX;

/// How a node or GPU is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    Healthy,
    Degraded,
    Unhealthy,
    Unknown,
}

/// Administrative state of a pool member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberState {
    Enabled,
    Disabled,
    ForcedOffline,
}

/// What the load balancer's monitors say about a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Availability {
    Available,
    Offline,
    Unknown,
}

/// Lifecycle status of a managed instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceStatus {
    Provisioning,
    Staging,
    Running,
    Stopping,
    Stopped,
    Suspending,
    Suspended,
    Terminated,
    Absent,
}

/// What a group manager is doing to an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceAction {
    None,
    Creating,
    CreatingWithoutRetries,
    Recreating,
    Deleting,
    Abandoning,
    Restarting,
    Refreshing,
    Verifying,
}

/// One row per node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Nodes {
    pub name: Vec<StringId>,
    pub address: Vec<StringId>,
    pub health: Vec<Health>,
    pub telemetry_age_ms: Vec<u32>,
    pub stale: Vec<bool>,
    pub gpu_start: Vec<u32>,
    pub label_start: Vec<u32>,
}

/// Node labels, grouped by node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels {
    pub node: Vec<u32>,
    pub key: Vec<StringId>,
    pub value: Vec<StringId>,
}

/// Physical GPUs, grouped by node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gpus {
    pub node: Vec<u32>,
    pub index: Vec<u32>,
    pub uuid: Vec<StringId>,
    pub model: Vec<StringId>,
    pub utilization: Vec<f32>,
    pub tensor_activity: Vec<f32>,
    pub memory_used_mib: Vec<f32>,
    pub memory_total_mib: Vec<f32>,
    pub temperature_c: Vec<f32>,
    pub power_w: Vec<f32>,
    pub power_limit_w: Vec<f32>,
    pub throttled: Vec<bool>,
    pub last_xid: Vec<u32>,
    pub health: Vec<Health>,
    pub mig_enabled: Vec<bool>,
    pub mig_start: Vec<u32>,
}

/// MIG GPU instances, grouped by GPU.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MigInstances {
    pub gpu: Vec<u32>,
    pub profile: Vec<StringId>,
    pub instance_id: Vec<u32>,
    pub placement_start: Vec<u8>,
    pub placement_size: Vec<u8>,
    pub utilization: Vec<f32>,
    pub memory_used_mib: Vec<f32>,
    pub memory_total_mib: Vec<f32>,
}

/// Load-balancer pools.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pools {
    pub name: Vec<StringId>,
    pub partition: Vec<StringId>,
    pub load_balancing_mode: Vec<StringId>,
    pub member_start: Vec<u32>,
}

/// Pool members, grouped by pool.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Members {
    pub pool: Vec<u32>,
    pub node: Vec<u32>,
    pub name: Vec<StringId>,
    pub address: Vec<StringId>,
    pub port: Vec<u16>,
    pub ratio: Vec<u32>,
    pub state: Vec<MemberState>,
    pub availability: Vec<Availability>,
    pub current_connections: Vec<u32>,
    pub connection_limit: Vec<u32>,
}

/// Managed instance groups.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceGroups {
    pub name: Vec<StringId>,
    pub location: Vec<StringId>,
    pub target_size: Vec<u32>,
    pub current_size: Vec<u32>,
    pub min_size: Vec<u32>,
    pub max_size: Vec<u32>,
    pub backend_service: Vec<StringId>,
    pub capacity_scaler: Vec<f32>,
    pub instance_start: Vec<u32>,
}

/// Managed instances, grouped by group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instances {
    pub group: Vec<u32>,
    pub node: Vec<u32>,
    pub name: Vec<StringId>,
    pub status: Vec<InstanceStatus>,
    pub action: Vec<InstanceAction>,
    pub serving: Vec<bool>,
    pub last_error: Vec<StringId>,
}

/// Named demand signals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub name: Vec<StringId>,
    pub value: Vec<f64>,
}

/// One immutable view of the cluster, handed to every policy in a cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub version: u64,
    pub time_ms: u64,
    pub strings: StringTable,
    pub nodes: Nodes,
    pub labels: Labels,
    pub gpus: Gpus,
    pub mig_instances: MigInstances,
    pub pools: Pools,
    pub members: Members,
    pub instance_groups: InstanceGroups,
    pub instances: Instances,
    pub signals: Signals,
}

impl Snapshot {
    /// The interned string `id`, or "" when it is absent.
    pub fn string(&self, id: StringId) -> &str {
        self.strings.get(id).unwrap_or("")
    }

    /// Rows of `node`'s GPUs.
    pub fn node_gpus(&self, node: u32) -> std::ops::Range<usize> {
        child_range(&self.nodes.gpu_start, node, self.gpus.node.len())
    }

    /// Rows of `pool`'s members.
    pub fn pool_members(&self, pool: u32) -> std::ops::Range<usize> {
        child_range(&self.pools.member_start, pool, self.members.pool.len())
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
fn child_range(start: &[u32], parent: u32, child_count: usize) -> std::ops::Range<usize> {
    let parent = parent as usize;
    let begin = start.get(parent).map_or(child_count, |&s| s as usize);
    let end = start.get(parent + 1).map_or(child_count, |&s| s as usize);
    begin..end
}
