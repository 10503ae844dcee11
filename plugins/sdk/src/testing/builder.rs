//! [`SnapshotBuilder`]: builds a valid columnar [`Snapshot`] row by row.

use std::collections::HashMap;

use crate::column::{Column, pack, push, set};
use crate::view::codes::flag_code;
use crate::{
    Availability, GpuUuid, Gpus, Health, InstanceAction, InstanceGroups, InstanceStatus, Instances,
    Labels, MemberState, Members, MigInstances, NONE, Nodes, Pools, Row, Signals, Snapshot,
    SnapshotStrings, StringId,
};

/// One GPU's columns, for [`SnapshotBuilder::gpu`].
///
/// [`Default`] is a GPU that reported nothing: every measurement `NaN`, health
/// [`Health::Unknown`], no XID, not throttled, MIG off.
#[derive(Clone, Debug, PartialEq)]
pub struct GpuSample {
    /// Device index on the node.
    pub index: u32,
    /// Device UUID; `None` when not reported.
    pub uuid: Option<GpuUuid>,
    /// Model name ("NVIDIA H100 80GB HBM3").
    pub model: String,
    /// Compute busy ratio 0..=1.
    pub utilization: f32,
    /// Tensor-pipe activity ratio 0..=1.
    pub tensor_activity: f32,
    /// Framebuffer memory in use, MiB.
    pub memory_used_mib: f32,
    /// Framebuffer memory in total, MiB.
    pub memory_total_mib: f32,
    /// GPU temperature, °C.
    pub temperature_c: f32,
    /// Power draw, W.
    pub power_w: f32,
    /// Power limit, W.
    pub power_limit_w: f32,
    /// Clock-throttled for thermal or power reasons.
    pub throttled: bool,
    /// The last XID error; 0 when none.
    pub last_xid: u32,
    /// GPU health.
    pub health: Health,
    /// MIG mode enabled.
    pub mig_enabled: bool,
}

impl Default for GpuSample {
    fn default() -> Self {
        GpuSample {
            index: 0,
            uuid: None,
            model: String::new(),
            utilization: f32::NAN,
            tensor_activity: f32::NAN,
            memory_used_mib: f32::NAN,
            memory_total_mib: f32::NAN,
            temperature_c: f32::NAN,
            power_w: f32::NAN,
            power_limit_w: f32::NAN,
            throttled: false,
            last_xid: 0,
            health: Health::Unknown,
            mig_enabled: false,
        }
    }
}

/// One MIG instance's columns, for [`SnapshotBuilder::mig_instance`].
///
/// [`Default`] has an empty profile, placement 0+0 and `NaN` measurements.
#[derive(Clone, Debug, PartialEq)]
pub struct MigSample {
    /// Profile name ("1g.10gb").
    pub profile: String,
    /// GPU instance id.
    pub instance_id: u32,
    /// First memory slice of the placement.
    pub placement_start: u8,
    /// Number of memory slices the placement covers.
    pub placement_size: u8,
    /// Graphics-engine activity ratio 0..=1.
    pub utilization: f32,
    /// Memory in use inside the instance, MiB.
    pub memory_used_mib: f32,
    /// Memory of the instance, MiB.
    pub memory_total_mib: f32,
}

impl Default for MigSample {
    fn default() -> Self {
        MigSample {
            profile: String::new(),
            instance_id: 0,
            placement_start: 0,
            placement_size: 0,
            utilization: f32::NAN,
            memory_used_mib: f32::NAN,
            memory_total_mib: f32::NAN,
        }
    }
}

/// Builds a [`Snapshot`] natively: interns strings, checks parent rows, and
/// fills the `*-start` columns in [`build`](SnapshotBuilder::build).
///
/// Enum and boolean values are taken typed and written as their column codes
/// ([`Health::code`], 0 or 1), numbers packed little-endian as the contract
/// carries them. A test that edits a built snapshot's column directly writes
/// codes the same way, `snapshot.members.state[0] =
/// MemberState::Disabled.code()`, and numbers with
/// [`column::set`](crate::column::set):
/// `column::set(&mut snapshot.members.ratio, 0, 100u32)`.
///
/// # Row order
///
/// Every method that adds a row returns that row's final index, which later
/// calls (and expected decisions in tests) can use. To keep that promise
/// without reordering, each child table must be filled in parent order: all
/// GPUs of node 0, then those of node 1, and so on (a parent may have none).
/// Parents can be added at any time. The natural loops (`for node { node();
/// for gpu { gpu() } }`, or all nodes first and then their GPUs in node order)
/// satisfy this.
///
/// # Panics
///
/// Adding a child whose parent row is lower than the previous child's, or
/// naming a row that does not exist, panics with a message saying which.
#[derive(Clone, Debug)]
pub struct SnapshotBuilder {
    /// Every column except the `*-start` ones, which `build` fills.
    snapshot: Snapshot,
    /// Interned strings by text, except "" (always 0).
    ids: HashMap<String, StringId>,
}

impl Default for SnapshotBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl SnapshotBuilder {
    /// An empty snapshot, version 0 at time 0, whose string table holds only "".
    pub fn new() -> Self {
        let snapshot = Snapshot {
            version: 0,
            time_ms: 0,
            strings: SnapshotStrings {
                text: String::new(),
                offsets: pack([0u32, 0]),
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
        };
        SnapshotBuilder {
            snapshot,
            ids: HashMap::new(),
        }
    }

    /// The snapshot with its `*-start` columns filled. The builder stays usable,
    /// so a test can change a few values and build the next cycle's snapshot.
    pub fn build(&self) -> Snapshot {
        let mut snapshot = self.snapshot.clone();
        snapshot.nodes.gpu_start = starts(rows(&snapshot.nodes.name), &snapshot.gpus.node);
        snapshot.nodes.label_start = starts(rows(&snapshot.nodes.name), &snapshot.labels.node);
        snapshot.gpus.mig_start = starts(rows(&snapshot.gpus.node), &snapshot.mig_instances.gpu);
        snapshot.pools.member_start = starts(rows(&snapshot.pools.name), &snapshot.members.pool);
        snapshot.instance_groups.instance_start = starts(
            rows(&snapshot.instance_groups.name),
            &snapshot.instances.group,
        );
        snapshot
    }

    /// The id of `text` in the string table, adding it if it is new.
    pub fn intern(&mut self, text: &str) -> StringId {
        if text.is_empty() {
            return 0;
        }
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let strings = &mut self.snapshot.strings;
        strings.text.push_str(text);
        push(
            &mut strings.offsets,
            to_u32(strings.text.len(), "string table bytes"),
        );
        let id = to_u32(rows(&strings.offsets) - 2, "strings");
        self.ids.insert(text.to_owned(), id);
        id
    }

    /// Set the snapshot's version.
    pub fn version(&mut self, version: u64) -> &mut Self {
        self.snapshot.version = version;
        self
    }

    /// Set when the snapshot was taken, milliseconds since the Unix epoch.
    pub fn time_ms(&mut self, time_ms: u64) -> &mut Self {
        self.snapshot.time_ms = time_ms;
        self
    }

    /// Add a node: healthy, fresh (telemetry age 0), not stale. Returns its row.
    pub fn node(&mut self, name: &str, address: &str) -> Row {
        let (name, address) = (self.intern(name), self.intern(address));
        let nodes = &mut self.snapshot.nodes;
        push(&mut nodes.name, name);
        push(&mut nodes.address, address);
        nodes.health.push(Health::Healthy.code());
        push(&mut nodes.telemetry_age_ms, 0u32);
        nodes.stale.push(flag_code(false));
        to_u32(rows(&nodes.name) - 1, "nodes")
    }

    /// Set node `node`'s health.
    pub fn node_health(&mut self, node: Row, health: Health) -> &mut Self {
        let at = self.node_at(node);
        self.snapshot.nodes.health[at] = health.code();
        self
    }

    /// Mark node `node` stale (or fresh again).
    pub fn node_stale(&mut self, node: Row, stale: bool) -> &mut Self {
        let at = self.node_at(node);
        self.snapshot.nodes.stale[at] = flag_code(stale);
        self
    }

    /// Set the age of node `node`'s newest telemetry, in milliseconds.
    pub fn node_telemetry_age(&mut self, node: Row, age_ms: u32) -> &mut Self {
        let at = self.node_at(node);
        set(&mut self.snapshot.nodes.telemetry_age_ms, at, age_ms);
        self
    }

    /// Add label `key` = `value` to node `node`. Returns its row in `labels`.
    pub fn label(&mut self, node: Row, key: &str, value: &str) -> Row {
        self.node_at(node);
        check_order("labels", "node", &self.snapshot.labels.node, node);
        let (key, value) = (self.intern(key), self.intern(value));
        let labels = &mut self.snapshot.labels;
        push(&mut labels.node, node);
        push(&mut labels.key, key);
        push(&mut labels.value, value);
        to_u32(rows(&labels.node) - 1, "labels")
    }

    /// Add a GPU to node `node`. Returns its row in `gpus`.
    pub fn gpu(&mut self, node: Row, sample: GpuSample) -> Row {
        self.node_at(node);
        check_order("GPUs", "node", &self.snapshot.gpus.node, node);
        let GpuSample {
            index,
            uuid,
            model,
            utilization,
            tensor_activity,
            memory_used_mib,
            memory_total_mib,
            temperature_c,
            power_w,
            power_limit_w,
            throttled,
            last_xid,
            health,
            mig_enabled,
        } = sample;
        let model = self.intern(&model);
        let (uuid_high, uuid_low) = uuid.map_or((0, 0), GpuUuid::halves);
        let gpus = &mut self.snapshot.gpus;
        push(&mut gpus.node, node);
        push(&mut gpus.index, index);
        push(&mut gpus.uuid_high, uuid_high);
        push(&mut gpus.uuid_low, uuid_low);
        push(&mut gpus.model, model);
        push(&mut gpus.utilization, utilization);
        push(&mut gpus.tensor_activity, tensor_activity);
        push(&mut gpus.memory_used_mib, memory_used_mib);
        push(&mut gpus.memory_total_mib, memory_total_mib);
        push(&mut gpus.temperature_c, temperature_c);
        push(&mut gpus.power_w, power_w);
        push(&mut gpus.power_limit_w, power_limit_w);
        gpus.throttled.push(flag_code(throttled));
        push(&mut gpus.last_xid, last_xid);
        gpus.health.push(health.code());
        gpus.mig_enabled.push(flag_code(mig_enabled));
        to_u32(rows(&gpus.node) - 1, "GPUs")
    }

    /// Add a MIG instance to GPU `gpu` (a row in `gpus`). Returns its row in
    /// `mig-instances`.
    pub fn mig_instance(&mut self, gpu: Row, sample: MigSample) -> Row {
        check_parent("GPU", gpu, rows(&self.snapshot.gpus.node));
        check_order(
            "MIG instances",
            "GPU",
            &self.snapshot.mig_instances.gpu,
            gpu,
        );
        let MigSample {
            profile,
            instance_id,
            placement_start,
            placement_size,
            utilization,
            memory_used_mib,
            memory_total_mib,
        } = sample;
        let profile = self.intern(&profile);
        let mig = &mut self.snapshot.mig_instances;
        push(&mut mig.gpu, gpu);
        push(&mut mig.profile, profile);
        push(&mut mig.instance_id, instance_id);
        mig.placement_start.push(placement_start);
        mig.placement_size.push(placement_size);
        push(&mut mig.utilization, utilization);
        push(&mut mig.memory_used_mib, memory_used_mib);
        push(&mut mig.memory_total_mib, memory_total_mib);
        to_u32(rows(&mig.gpu) - 1, "MIG instances")
    }

    /// Add a load-balancer pool. Returns its row.
    pub fn pool(&mut self, name: &str, partition: &str, load_balancing_mode: &str) -> Row {
        let ids = (
            self.intern(name),
            self.intern(partition),
            self.intern(load_balancing_mode),
        );
        let pools = &mut self.snapshot.pools;
        push(&mut pools.name, ids.0);
        push(&mut pools.partition, ids.1);
        push(&mut pools.load_balancing_mode, ids.2);
        to_u32(rows(&pools.name) - 1, "pools")
    }

    /// Add a member to pool `pool`, served by `node` (a row in `nodes`, or `None`
    /// when no node matches), with no connection limit. Returns its row in `members`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per column, like the WIT record"
    )]
    pub fn member(
        &mut self,
        pool: Row,
        name: &str,
        address: &str,
        port: u16,
        ratio: u32,
        state: MemberState,
        availability: Availability,
        connections: u32,
        node: Option<Row>,
    ) -> Row {
        check_parent("pool", pool, rows(&self.snapshot.pools.name));
        check_order("members", "pool", &self.snapshot.members.pool, pool);
        if let Some(node) = node {
            self.node_at(node);
        }
        let (name, address) = (self.intern(name), self.intern(address));
        let members = &mut self.snapshot.members;
        push(&mut members.pool, pool);
        push(&mut members.node, node.unwrap_or(NONE));
        push(&mut members.name, name);
        push(&mut members.address, address);
        push(&mut members.port, port);
        push(&mut members.ratio, ratio);
        members.state.push(state.code());
        members.availability.push(availability.code());
        push(&mut members.current_connections, connections);
        push(&mut members.connection_limit, 0u32);
        to_u32(rows(&members.pool) - 1, "members")
    }

    /// Set member `member`'s connection limit (0 means unlimited).
    pub fn member_connection_limit(&mut self, member: Row, limit: u32) -> &mut Self {
        check_parent("member", member, rows(&self.snapshot.members.pool));
        set(
            &mut self.snapshot.members.connection_limit,
            member as usize,
            limit,
        );
        self
    }

    /// Add a managed instance group that is no backend (see
    /// [`group_backend`](Self::group_backend)). Returns its row.
    pub fn instance_group(
        &mut self,
        name: &str,
        location: &str,
        target_size: u32,
        current_size: u32,
        min_size: u32,
        max_size: u32,
    ) -> Row {
        let (name, location) = (self.intern(name), self.intern(location));
        let groups = &mut self.snapshot.instance_groups;
        push(&mut groups.name, name);
        push(&mut groups.location, location);
        push(&mut groups.target_size, target_size);
        push(&mut groups.current_size, current_size);
        push(&mut groups.min_size, min_size);
        push(&mut groups.max_size, max_size);
        push(&mut groups.backend_service, NONE);
        push(&mut groups.capacity_scaler, f32::NAN);
        to_u32(rows(&groups.name) - 1, "instance groups")
    }

    /// Make group `group` the backend of `service`, with capacity scaler `scaler`.
    pub fn group_backend(&mut self, group: Row, service: &str, scaler: f32) -> &mut Self {
        check_parent(
            "instance group",
            group,
            rows(&self.snapshot.instance_groups.name),
        );
        let service = self.intern(service);
        let groups = &mut self.snapshot.instance_groups;
        set(&mut groups.backend_service, group as usize, service);
        set(&mut groups.capacity_scaler, group as usize, scaler);
        self
    }

    /// Add an instance to group `group`, with telemetry from `node` (or `None`
    /// yet) and no error. Returns its row in `instances`.
    pub fn instance(
        &mut self,
        group: Row,
        name: &str,
        status: InstanceStatus,
        action: InstanceAction,
        serving: bool,
        node: Option<Row>,
    ) -> Row {
        check_parent(
            "instance group",
            group,
            rows(&self.snapshot.instance_groups.name),
        );
        check_order(
            "instances",
            "instance group",
            &self.snapshot.instances.group,
            group,
        );
        if let Some(node) = node {
            self.node_at(node);
        }
        let name = self.intern(name);
        let instances = &mut self.snapshot.instances;
        push(&mut instances.group, group);
        push(&mut instances.node, node.unwrap_or(NONE));
        push(&mut instances.name, name);
        instances.status.push(status.code());
        instances.action.push(action.code());
        instances.serving.push(flag_code(serving));
        push(&mut instances.last_error, NONE);
        to_u32(rows(&instances.group) - 1, "instances")
    }

    /// Set the last error of instance `instance`.
    pub fn instance_error(&mut self, instance: Row, error: &str) -> &mut Self {
        check_parent("instance", instance, rows(&self.snapshot.instances.group));
        let error = self.intern(error);
        set(
            &mut self.snapshot.instances.last_error,
            instance as usize,
            error,
        );
        self
    }

    /// Add demand signal `name` with `value`.
    pub fn signal(&mut self, name: &str, value: f64) -> &mut Self {
        let name = self.intern(name);
        push(&mut self.snapshot.signals.name, name);
        push(&mut self.snapshot.signals.value, value);
        self
    }

    /// The index of node `node`, checked.
    fn node_at(&self, node: Row) -> usize {
        check_parent("node", node, rows(&self.snapshot.nodes.name));
        node as usize
    }
}

/// The packed `*-start` column for `parent_count` parents whose children (in
/// parent order) have parent rows `parents` (a packed row column).
fn starts(parent_count: usize, parents: &[u8]) -> Vec<u8> {
    let parents = Column::<Row>::new(parents);
    let mut child = 0;
    pack((0..parent_count).map(|parent| {
        while parents.get(child).is_some_and(|of| (of as usize) < parent) {
            child += 1;
        }
        to_u32(child, "child rows")
    }))
}

/// Rows of a table, counted on one of its packed row or string id columns.
fn rows(column: &[u8]) -> usize {
    Column::<u32>::new(column).len()
}

/// Panics unless `row` is inside a table of `len` rows.
fn check_parent(table: &str, row: Row, len: usize) {
    assert!(
        (row as usize) < len,
        "SnapshotBuilder: no {table} in row {row} (there are {len})"
    );
}

/// Panics unless a child of `parent` may follow the children `parents` already
/// in its table (children are kept in parent order).
fn check_order(children: &str, parent_table: &str, parents: &[u8], parent: Row) {
    if let Some(last) = Column::<Row>::new(parents).iter().next_back() {
        assert!(
            parent >= last,
            "SnapshotBuilder: {children} must be added in {parent_table} order; \
             {parent_table} {parent} comes after {parent_table} {last}"
        );
    }
}

/// `n` as a `u32` row or offset; a snapshot holds fewer than 2³² of anything.
fn to_u32(n: usize, what: &str) -> u32 {
    u32::try_from(n).unwrap_or_else(|_| panic!("SnapshotBuilder: too many {what} for u32 rows"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_columns_cover_parents_without_children() {
        assert_eq!(starts(4, &pack([1u32, 1, 3])), pack([0u32, 0, 2, 2]));
        assert_eq!(starts(2, &[]), pack([0u32, 0]));
        assert!(starts(0, &[]).is_empty());
    }

    #[test]
    fn interning_reuses_ids_and_keeps_string_zero_empty() {
        let mut builder = SnapshotBuilder::new();
        assert_eq!(builder.intern(""), 0);
        let a = builder.intern("alpha");
        let b = builder.intern("beta");
        assert_eq!(builder.intern("alpha"), a);
        assert_ne!(a, b);
        let snapshot = builder.build();
        assert_eq!(snapshot.strings.offsets, pack([0u32, 0, 5, 9]));
        assert_eq!(snapshot.strings.text, "alphabeta");
    }

    #[test]
    #[should_panic(expected = "GPUs must be added in node order")]
    fn children_out_of_parent_order_panic() {
        let mut builder = SnapshotBuilder::new();
        let first = builder.node("a", "10.0.0.1");
        let second = builder.node("b", "10.0.0.2");
        builder.gpu(second, GpuSample::default());
        builder.gpu(first, GpuSample::default());
    }

    #[test]
    #[should_panic(expected = "no node in row 3")]
    fn unknown_parents_panic() {
        SnapshotBuilder::new().gpu(3, GpuSample::default());
    }
}
