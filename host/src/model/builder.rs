//! Assembles a [`Snapshot`] row by row. A parent is added together with its
//! children, which keeps child rows grouped by parent as the contract promises;
//! pool members are joined to nodes by address, and managed instances to nodes
//! by name, when the snapshot is built. A GPU in MIG mode is added with its
//! MIG instances, which keeps them grouped under it (`gpus.mig-start`).

use std::collections::HashMap;

use super::codes::Code;
use super::snapshot::*;
use super::strings::Interner;
use super::uuid::gpu_uuid_halves;

/// One managed instance group, as the cloud reports it, with the size bounds
/// the operator set for it.
#[derive(Debug, Clone)]
pub struct GroupSample<'a> {
    pub name: &'a str,
    pub location: &'a str,
    pub target_size: u32,
    pub current_size: u32,
    pub min_size: u32,
    pub max_size: u32,
    /// The backend service the group serves and its capacity scaler.
    pub backend: Option<(&'a str, f32)>,
}

/// One managed instance.
#[derive(Debug, Clone)]
pub struct InstanceSample<'a> {
    pub name: &'a str,
    pub status: InstanceStatus,
    pub action: InstanceAction,
    pub serving: bool,
    pub last_error: Option<&'a str>,
}

/// One node, as a source reports it.
#[derive(Debug, Clone)]
pub struct NodeSample<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub health: Health,
    pub telemetry_age_ms: u32,
    pub stale: bool,
    pub labels: &'a [(&'a str, &'a str)],
}

/// One GPU's readings, as a source reports them. `NaN` means not reported.
#[derive(Debug, Clone)]
pub struct GpuSample<'a> {
    pub index: u32,
    /// "GPU-…"; anything else is carried as no UUID.
    pub uuid: &'a str,
    pub model: &'a str,
    pub utilization: f32,
    pub tensor_activity: f32,
    pub memory_used_mib: f32,
    pub memory_total_mib: f32,
    pub temperature_c: f32,
    pub power_w: f32,
    pub power_limit_w: f32,
    pub throttled: bool,
    pub last_xid: u32,
    pub health: Health,
    /// The GPU's MIG instances when MIG mode is on (possibly none yet);
    /// `None` when MIG mode is off or not reported.
    pub mig: Option<&'a [MigSample<'a>]>,
}

/// One MIG GPU instance, as a source reports it. `NaN` means not reported.
#[derive(Debug, Clone)]
pub struct MigSample<'a> {
    /// Profile name ("1g.10gb").
    pub profile: &'a str,
    /// GPU instance id (`GPU_I_ID`).
    pub instance_id: u32,
    /// First memory slice of the placement.
    pub placement_start: u8,
    /// Memory slices the placement covers; 0 when the placement is unknown.
    pub placement_size: u8,
    /// Graphics-engine activity ratio 0..=1.
    pub utilization: f32,
    pub memory_used_mib: f32,
    pub memory_total_mib: f32,
}

/// One pool member, as the load balancer reports it.
#[derive(Debug, Clone)]
pub struct MemberSample<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub port: u16,
    pub ratio: u32,
    pub state: MemberState,
    pub availability: Availability,
    pub current_connections: u32,
    pub connection_limit: u32,
}

/// A GPU's busy ratio: as reported, or under MIG when the whole GPU's is
/// not reported, the mean over its instances that report one (the contract's
/// rule for `gpus.utilization`).
fn gpu_utilization(sample: &GpuSample<'_>) -> f32 {
    let reported = sample
        .mig
        .filter(|_| sample.utilization.is_nan())
        .map(|instances| {
            instances
                .iter()
                .map(|i| i.utilization)
                .filter(|u| !u.is_nan())
        });
    match reported {
        Some(values) => {
            let (sum, count) = values.fold((0.0, 0u32), |(sum, n), u| (sum + u, n + 1));
            if count == 0 {
                f32::NAN
            } else {
                sum / count as f32
            }
        }
        None => sample.utilization,
    }
}

/// Builds one [`Snapshot`].
pub struct SnapshotBuilder {
    strings: Interner,
    /// The tables being filled; its version, time and strings are set by `build`.
    tables: Snapshot,
}

impl Default for SnapshotBuilder {
    fn default() -> Self {
        SnapshotBuilder {
            strings: Interner::default(),
            tables: Snapshot::empty(),
        }
    }
}

impl SnapshotBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a node with its labels and GPUs; returns its row.
    pub fn node(&mut self, node: &NodeSample<'_>, gpus: &[GpuSample<'_>]) -> u32 {
        let row = self.tables.nodes.name.len() as u32;
        let nodes = &mut self.tables.nodes;
        nodes.name.push(self.strings.intern(node.name));
        nodes.address.push(self.strings.intern(node.address));
        nodes.health.push(node.health.code());
        nodes.telemetry_age_ms.push(node.telemetry_age_ms);
        nodes.stale.push(u8::from(node.stale));
        nodes.gpu_start.push(self.tables.gpus.node.len() as u32);
        nodes.label_start.push(self.tables.labels.node.len() as u32);
        for (key, value) in node.labels {
            self.tables.labels.node.push(row);
            self.tables.labels.key.push(self.strings.intern(key));
            self.tables.labels.value.push(self.strings.intern(value));
        }
        for gpu in gpus {
            self.push_gpu(row, gpu);
        }
        row
    }

    fn push_gpu(&mut self, node: u32, sample: &GpuSample<'_>) {
        let gpus = &mut self.tables.gpus;
        gpus.node.push(node);
        gpus.index.push(sample.index);
        let (high, low) = gpu_uuid_halves(sample.uuid).unwrap_or((0, 0));
        gpus.uuid_high.push(high);
        gpus.uuid_low.push(low);
        gpus.model.push(self.strings.intern(sample.model));
        gpus.utilization.push(gpu_utilization(sample));
        gpus.tensor_activity.push(sample.tensor_activity);
        gpus.memory_used_mib.push(sample.memory_used_mib);
        gpus.memory_total_mib.push(sample.memory_total_mib);
        gpus.temperature_c.push(sample.temperature_c);
        gpus.power_w.push(sample.power_w);
        gpus.power_limit_w.push(sample.power_limit_w);
        gpus.throttled.push(u8::from(sample.throttled));
        gpus.last_xid.push(sample.last_xid);
        gpus.health.push(sample.health.code());
        gpus.mig_enabled.push(u8::from(sample.mig.is_some()));
        gpus.mig_start
            .push(self.tables.mig_instances.gpu.len() as u32);
        let row = gpus.node.len() as u32 - 1;
        for instance in sample.mig.unwrap_or_default() {
            let profile = self.strings.intern(instance.profile);
            let mig = &mut self.tables.mig_instances;
            mig.gpu.push(row);
            mig.profile.push(profile);
            mig.instance_id.push(instance.instance_id);
            mig.placement_start.push(instance.placement_start);
            mig.placement_size.push(instance.placement_size);
            mig.utilization.push(instance.utilization);
            mig.memory_used_mib.push(instance.memory_used_mib);
            mig.memory_total_mib.push(instance.memory_total_mib);
        }
    }

    /// Add a pool with its members; returns the pool's row.
    pub fn pool(
        &mut self,
        name: &str,
        partition: &str,
        load_balancing_mode: &str,
        members: &[MemberSample<'_>],
    ) -> u32 {
        let row = self.tables.pools.name.len() as u32;
        self.tables.pools.name.push(self.strings.intern(name));
        self.tables
            .pools
            .partition
            .push(self.strings.intern(partition));
        self.tables
            .pools
            .load_balancing_mode
            .push(self.strings.intern(load_balancing_mode));
        self.tables
            .pools
            .member_start
            .push(self.tables.members.pool.len() as u32);
        for member in members {
            let m = &mut self.tables.members;
            m.pool.push(row);
            m.node.push(NONE);
            m.name.push(self.strings.intern(member.name));
            m.address.push(self.strings.intern(member.address));
            m.port.push(member.port);
            m.ratio.push(member.ratio);
            m.state.push(member.state.code());
            m.availability.push(member.availability.code());
            m.current_connections.push(member.current_connections);
            m.connection_limit.push(member.connection_limit);
        }
        row
    }

    /// Add a managed instance group with its instances; returns the group's row.
    pub fn instance_group(
        &mut self,
        group: &GroupSample<'_>,
        instances: &[InstanceSample<'_>],
    ) -> u32 {
        let row = self.tables.instance_groups.name.len() as u32;
        let (service, scaler) = match group.backend {
            Some((service, scaler)) => (self.strings.intern(service), scaler),
            None => (NONE, f32::NAN),
        };
        let g = &mut self.tables.instance_groups;
        g.name.push(self.strings.intern(group.name));
        g.location.push(self.strings.intern(group.location));
        g.target_size.push(group.target_size);
        g.current_size.push(group.current_size);
        g.min_size.push(group.min_size);
        g.max_size.push(group.max_size);
        g.backend_service.push(service);
        g.capacity_scaler.push(scaler);
        g.instance_start
            .push(self.tables.instances.group.len() as u32);
        for instance in instances {
            let last_error = instance
                .last_error
                .map_or(NONE, |error| self.strings.intern(error));
            let i = &mut self.tables.instances;
            i.group.push(row);
            i.node.push(NONE);
            i.name.push(self.strings.intern(instance.name));
            i.status.push(instance.status.code());
            i.action.push(instance.action.code());
            i.serving.push(u8::from(instance.serving));
            i.last_error.push(last_error);
        }
        row
    }

    /// Add a named demand signal.
    pub fn signal(&mut self, name: &str, value: f64) {
        self.tables.signals.name.push(self.strings.intern(name));
        self.tables.signals.value.push(value);
    }

    /// Finish the snapshot: join members to nodes by address, then freeze.
    pub fn build(mut self, version: u64, time_ms: u64) -> Snapshot {
        let node_by_address: HashMap<u32, u32> = self
            .tables
            .nodes
            .address
            .iter()
            .enumerate()
            .rev()
            .map(|(row, &address)| (address, row as u32))
            .collect();
        let members = &mut self.tables.members;
        for (node, address) in members.node.iter_mut().zip(&members.address) {
            *node = node_by_address.get(address).copied().unwrap_or(NONE);
        }
        let node_by_name: HashMap<u32, u32> = self
            .tables
            .nodes
            .name
            .iter()
            .enumerate()
            .rev()
            .map(|(row, &name)| (name, row as u32))
            .collect();
        let instances = &mut self.tables.instances;
        for (node, name) in instances.node.iter_mut().zip(&instances.name) {
            *node = node_by_name.get(name).copied().unwrap_or(NONE);
        }
        Snapshot {
            version,
            time_ms,
            strings: self.strings.finish(),
            ..self.tables
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gpu(index: u32, utilization: f32) -> GpuSample<'static> {
        GpuSample {
            index,
            uuid: "GPU-0",
            model: "NVIDIA H100 80GB HBM3",
            utilization,
            tensor_activity: f32::NAN,
            memory_used_mib: 1024.0,
            memory_total_mib: 81559.0,
            temperature_c: 40.0,
            power_w: 100.0,
            power_limit_w: 700.0,
            throttled: false,
            last_xid: 0,
            health: Health::Healthy,
            mig: None,
        }
    }

    fn instance(profile: &str, instance_id: u32, start: u8, utilization: f32) -> MigSample<'_> {
        MigSample {
            profile,
            instance_id,
            placement_start: start,
            placement_size: if profile == "3g.40gb" { 4 } else { 1 },
            utilization,
            memory_used_mib: 100.0,
            memory_total_mib: 9984.0,
        }
    }

    fn node<'a>(
        name: &'a str,
        address: &'a str,
        labels: &'a [(&'a str, &'a str)],
    ) -> NodeSample<'a> {
        NodeSample {
            name,
            address,
            health: Health::Healthy,
            telemetry_age_ms: 0,
            stale: false,
            labels,
        }
    }

    fn member<'a>(name: &'a str, address: &'a str) -> MemberSample<'a> {
        MemberSample {
            name,
            address,
            port: 8080,
            ratio: 10,
            state: MemberState::Enabled,
            availability: Availability::Available,
            current_connections: 0,
            connection_limit: 0,
        }
    }

    #[test]
    fn children_are_grouped_under_their_parent() {
        let mut b = SnapshotBuilder::new();
        b.node(
            &node("a", "127.0.1.1", &[("zone", "z1")]),
            &[gpu(0, 0.1), gpu(1, 0.2)],
        );
        b.node(&node("b", "127.0.1.2", &[]), &[gpu(0, 0.3)]);
        let s = b.build(1, 0);
        assert_eq!(s.node_gpus(0), 0..2);
        assert_eq!(s.node_gpus(1), 2..3);
        assert_eq!(s.gpus.utilization[s.node_gpus(1).start], 0.3);
        assert_eq!(s.nodes.label_start, vec![0, 1]);
        assert_eq!(s.string(s.labels.value[0]), "z1");
    }

    #[test]
    fn members_join_nodes_by_address() {
        let mut b = SnapshotBuilder::new();
        b.node(&node("a", "127.0.1.1", &[]), &[]);
        b.node(&node("b", "127.0.1.2", &[]), &[]);
        b.pool(
            "mlPool",
            "Common",
            "ratio-member",
            &[member("b:8080", "127.0.1.2"), member("x:8080", "127.0.9.9")],
        );
        let s = b.build(1, 0);
        assert_eq!(s.members.node, vec![1, NONE]);
        assert_eq!(s.member_by_name("mlPool", "b:8080"), Some(0));
        assert_eq!(s.member_by_name("mlPool", "nope"), None);
        assert_eq!(s.pool_members(0), 0..2);
    }

    #[test]
    fn mig_instances_are_grouped_under_their_gpu() {
        let small = [
            instance("1g.10gb", 9, 0, 0.2),
            instance("1g.10gb", 10, 1, 0.4),
        ];
        let large = [instance("3g.40gb", 2, 4, 0.9)];
        let mut b = SnapshotBuilder::new();
        b.node(
            &node("a", "127.0.1.1", &[]),
            &[
                GpuSample {
                    mig: Some(&small),
                    ..gpu(0, f32::NAN)
                },
                gpu(1, 0.5),
                GpuSample {
                    mig: Some(&large),
                    ..gpu(2, 0.7)
                },
                GpuSample {
                    mig: Some(&[]),
                    ..gpu(3, f32::NAN)
                },
            ],
        );
        let s = b.build(1, 0);
        assert_eq!(s.gpus.mig_enabled, vec![1, 0, 1, 1]);
        assert_eq!(s.gpus.mig_start, vec![0, 2, 2, 3]);
        assert_eq!(s.mig_instances.gpu, vec![0, 0, 2]);
        assert_eq!(s.mig_instances.instance_id, vec![9, 10, 2]);
        assert_eq!(s.mig_instances.placement_start, vec![0, 1, 4]);
        assert_eq!(s.mig_instances.placement_size, vec![1, 1, 4]);
        assert_eq!(s.string(s.mig_instances.profile[2]), "3g.40gb");
        assert!(
            (s.gpus.utilization[0] - 0.3).abs() < 1e-6,
            "the mean of its instances"
        );
        assert_eq!(s.gpus.utilization[2], 0.7, "a reported value stands");
        assert!(s.gpus.utilization[3].is_nan(), "no instance reports");
    }
}
