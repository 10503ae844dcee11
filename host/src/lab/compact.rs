//! The compact snapshot a person writes in a test fixture: nodes with their
//! GPUs, pools with their members, instance groups, signals. Every reading
//! is optional with a plain default (an idle, healthy, cool GPU), so a case
//! states only what it is about; it is built into the columnar snapshot by
//! the host's own [`SnapshotBuilder`], exactly as the sources build theirs.
//!
//! ```toml
//! [snapshot]
//! signals = { queue-depth = 250 }
//! [[snapshot.nodes]]
//! name = "gpu-node-1"                 # address defaults to 127.0.1.<position>
//! gpus = 8
//! all_gpus = { model = "NVIDIA H100 80GB HBM3", utilization = 0.4 }
//! [[snapshot.nodes.gpu]]              # one GPU differs
//! index = 3
//! temperature_c = 88
//! throttled = true
//! [[snapshot.pools]]
//! name = "mlPool"
//! members = [{ node = "gpu-node-1", port = 8000, ratio = 10 }]
//! [[snapshot.groups]]
//! name = "ml-group"
//! target_size = 2
//! instances = [{ name = "gpu-node-1" }, { name = "gpu-node-2" }]
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer};
use toml::Spanned;

use crate::model::{
    Availability, Code, GpuSample, GroupSample, Health, InstanceAction, InstanceSample,
    InstanceStatus, MemberSample, MemberState, MigSample, NodeSample, Snapshot, SnapshotBuilder,
};

/// `[snapshot]` written out by hand.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CompactSnapshot {
    #[serde(default = "one")]
    version: u64,
    #[serde(default)]
    time_ms: u64,
    #[serde(default)]
    nodes: Vec<NodeForm>,
    #[serde(default)]
    pools: Vec<PoolForm>,
    #[serde(default)]
    groups: Vec<GroupForm>,
    #[serde(default)]
    signals: BTreeMap<String, f64>,
}

fn one() -> u64 {
    1
}

/// A code-list value (`health`, `state`, …) written by its WIT case name.
#[derive(Debug, Clone, Copy)]
pub(super) struct Named<T>(pub T);

impl<'de, T: Code> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit<T>(PhantomData<T>);
        impl<T: Code> de::Visitor<'_> for Visit<T> {
            type Value = Named<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let names: Vec<&str> = T::cases().iter().map(|c| c.name()).collect();
                write!(f, "one of {}", names.join(", "))
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Named<T>, E> {
                T::from_name(name)
                    .map(Named)
                    .ok_or_else(|| E::invalid_value(de::Unexpected::Str(name), &self))
            }
        }
        deserializer.deserialize_str(Visit(PhantomData))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeForm {
    name: String,
    address: Option<String>,
    health: Option<Named<Health>>,
    #[serde(default)]
    telemetry_age_ms: u32,
    #[serde(default)]
    stale: bool,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    /// How many GPUs; at least one more than the highest `gpu.index`.
    #[serde(default)]
    gpus: u32,
    /// Readings every GPU of the node shares.
    #[serde(default)]
    all_gpus: GpuForm,
    /// GPUs that differ, by index.
    #[serde(default)]
    gpu: Vec<Spanned<GpuForm>>,
}

/// One GPU's readings; what is not given comes from the node's `all_gpus`,
/// then from an idle, healthy, cool GPU.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct GpuForm {
    index: Option<u32>,
    uuid: Option<String>,
    model: Option<String>,
    utilization: Option<f32>,
    tensor_activity: Option<f32>,
    memory_used_mib: Option<f32>,
    memory_total_mib: Option<f32>,
    temperature_c: Option<f32>,
    power_w: Option<f32>,
    power_limit_w: Option<f32>,
    throttled: Option<bool>,
    xid: Option<u32>,
    health: Option<Named<Health>>,
    /// MIG instances; present (even empty) means MIG mode is on.
    mig: Option<Vec<MigForm>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MigForm {
    profile: String,
    instance_id: Option<u32>,
    #[serde(default)]
    placement_start: u8,
    #[serde(default)]
    placement_size: u8,
    #[serde(default)]
    utilization: f32,
    #[serde(default)]
    memory_used_mib: f32,
    memory_total_mib: Option<f32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolForm {
    name: String,
    partition: Option<String>,
    mode: Option<String>,
    #[serde(default)]
    members: Vec<Spanned<MemberForm>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberForm {
    /// The node serving it: its address is the member's.
    node: Option<Spanned<String>>,
    address: Option<String>,
    #[serde(default = "http_port")]
    port: u16,
    /// Default `address:port`.
    name: Option<String>,
    #[serde(default = "ratio_one")]
    ratio: u32,
    state: Option<Named<MemberState>>,
    availability: Option<Named<Availability>>,
    #[serde(default)]
    connections: u32,
    #[serde(default)]
    connection_limit: u32,
}

fn http_port() -> u16 {
    80
}
fn ratio_one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupForm {
    name: String,
    location: Option<String>,
    target_size: u32,
    current_size: Option<u32>,
    #[serde(default)]
    min_size: u32,
    #[serde(default = "thousand")]
    max_size: u32,
    backend_service: Option<String>,
    capacity_scaler: Option<f32>,
    #[serde(default)]
    instances: Vec<InstanceForm>,
}

fn thousand() -> u32 {
    1000
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InstanceForm {
    name: String,
    status: Option<Named<InstanceStatus>>,
    action: Option<Named<InstanceAction>>,
    #[serde(default = "yes")]
    serving: bool,
    last_error: Option<String>,
}

fn yes() -> bool {
    true
}

/// An idle, healthy H100 at room temperature.
const DEFAULT_MODEL: &str = "NVIDIA H100 80GB HBM3";
const DEFAULT_MEMORY_MIB: f32 = 81_559.0;

/// A problem in the compact form, with the span of the value at fault.
pub(super) struct Misplaced {
    pub key: String,
    pub span: std::ops::Range<usize>,
    pub message: String,
}

impl CompactSnapshot {
    /// Build the snapshot; a reference to a node or GPU that is not there is
    /// a problem naming the key.
    pub(super) fn build(self) -> Result<Snapshot, Vec<Misplaced>> {
        let mut problems = Vec::new();
        let mut builder = SnapshotBuilder::new();
        let addresses: Vec<String> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, node)| {
                node.address
                    .clone()
                    .unwrap_or_else(|| format!("127.0.1.{}", i + 1))
            })
            .collect();
        for (i, (node, address)) in self.nodes.iter().zip(&addresses).enumerate() {
            add_node(&mut builder, i, node, address, &mut problems);
        }
        for (p, pool) in self.pools.iter().enumerate() {
            add_pool(
                &mut builder,
                p,
                pool,
                &self.nodes,
                &addresses,
                &mut problems,
            );
        }
        for group in &self.groups {
            add_group(&mut builder, group);
        }
        for (name, value) in &self.signals {
            builder.signal(name, *value);
        }
        match problems.is_empty() {
            true => Ok(builder.build(self.version, self.time_ms)),
            false => Err(problems),
        }
    }
}

fn add_node(
    builder: &mut SnapshotBuilder,
    position: usize,
    node: &NodeForm,
    address: &str,
    problems: &mut Vec<Misplaced>,
) {
    let highest = node.gpu.iter().filter_map(|g| g.get_ref().index).max();
    let count = node.gpus.max(highest.map_or(0, |i| i + 1));
    let mut forms = vec![node.all_gpus.clone(); count as usize];
    for (k, gpu) in node.gpu.iter().enumerate() {
        match gpu.get_ref().index {
            Some(index) => forms[index as usize] = overlay(&node.all_gpus, gpu.get_ref()),
            None => problems.push(Misplaced {
                key: format!("snapshot.nodes[{position}].gpu[{k}].index"),
                span: gpu.span(),
                message: "name the GPU's index".to_owned(),
            }),
        }
    }
    let uuids: Vec<String> = (0..count)
        .map(|index| format!("GPU-{:08x}-0000-4000-8000-{:012x}", position + 1, index))
        .collect();
    let migs: Vec<Option<Vec<MigSample<'_>>>> = forms
        .iter()
        .map(|form| form.mig.as_ref().map(|instances| mig_samples(instances)))
        .collect();
    let samples: Vec<GpuSample<'_>> = forms
        .iter()
        .zip(&uuids)
        .zip(&migs)
        .enumerate()
        .map(|(index, ((form, uuid), mig))| gpu_sample(index as u32, form, uuid, mig.as_deref()))
        .collect();
    let labels: Vec<(&str, &str)> = node
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    builder.node(
        &NodeSample {
            name: &node.name,
            address,
            health: node.health.map_or(Health::Healthy, |h| h.0),
            telemetry_age_ms: node.telemetry_age_ms,
            stale: node.stale,
            labels: &labels,
        },
        &samples,
    );
}

/// `gpu`'s readings over the node's shared ones.
fn overlay(shared: &GpuForm, gpu: &GpuForm) -> GpuForm {
    macro_rules! pick {
        ($($field:ident),+) => {
            GpuForm { $($field: gpu.$field.clone().or_else(|| shared.$field.clone())),+ }
        };
    }
    pick!(
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
        xid,
        health,
        mig
    )
}

fn gpu_sample<'a>(
    index: u32,
    form: &'a GpuForm,
    uuid: &'a str,
    mig: Option<&'a [MigSample<'a>]>,
) -> GpuSample<'a> {
    GpuSample {
        index,
        uuid: form.uuid.as_deref().unwrap_or(uuid),
        model: form.model.as_deref().unwrap_or(DEFAULT_MODEL),
        utilization: form.utilization.unwrap_or(0.0),
        tensor_activity: form.tensor_activity.unwrap_or(0.0),
        memory_used_mib: form.memory_used_mib.unwrap_or(0.0),
        memory_total_mib: form.memory_total_mib.unwrap_or(DEFAULT_MEMORY_MIB),
        temperature_c: form.temperature_c.unwrap_or(40.0),
        power_w: form.power_w.unwrap_or(100.0),
        power_limit_w: form.power_limit_w.unwrap_or(700.0),
        throttled: form.throttled.unwrap_or(false),
        last_xid: form.xid.unwrap_or(0),
        health: form.health.map_or(Health::Healthy, |h| h.0),
        mig,
    }
}

fn mig_samples(instances: &[MigForm]) -> Vec<MigSample<'_>> {
    instances
        .iter()
        .enumerate()
        .map(|(i, form)| MigSample {
            profile: &form.profile,
            instance_id: form.instance_id.unwrap_or(i as u32 + 1),
            placement_start: form.placement_start,
            placement_size: form.placement_size,
            utilization: form.utilization,
            memory_used_mib: form.memory_used_mib,
            memory_total_mib: form.memory_total_mib.unwrap_or(f32::NAN),
        })
        .collect()
}

fn add_pool(
    builder: &mut SnapshotBuilder,
    position: usize,
    pool: &PoolForm,
    nodes: &[NodeForm],
    addresses: &[String],
    problems: &mut Vec<Misplaced>,
) {
    let mut resolved = Vec::with_capacity(pool.members.len());
    for (m, spanned) in pool.members.iter().enumerate() {
        let member = spanned.get_ref();
        let address = match (&member.node, &member.address) {
            (Some(node), _) => match nodes.iter().position(|n| n.name == *node.get_ref()) {
                Some(row) => addresses[row].clone(),
                None => {
                    problems.push(Misplaced {
                        key: format!("snapshot.pools[{position}].members[{m}].node"),
                        span: node.span(),
                        message: format!("no node called {:?} in the snapshot", node.get_ref()),
                    });
                    continue;
                }
            },
            (None, Some(address)) => address.clone(),
            (None, None) => {
                problems.push(Misplaced {
                    key: format!("snapshot.pools[{position}].members[{m}]"),
                    span: spanned.span(),
                    message: "give the member's node or address".to_owned(),
                });
                continue;
            }
        };
        let name = member
            .name
            .clone()
            .unwrap_or_else(|| format!("{address}:{}", member.port));
        resolved.push((member, address, name));
    }
    let samples: Vec<MemberSample<'_>> = resolved
        .iter()
        .map(|(member, address, name)| MemberSample {
            name,
            address,
            port: member.port,
            ratio: member.ratio,
            state: member.state.map_or(MemberState::Enabled, |s| s.0),
            availability: member.availability.map_or(Availability::Available, |a| a.0),
            current_connections: member.connections,
            connection_limit: member.connection_limit,
        })
        .collect();
    builder.pool(
        &pool.name,
        pool.partition.as_deref().unwrap_or("Common"),
        pool.mode.as_deref().unwrap_or("ratio-member"),
        &samples,
    );
}

fn add_group(builder: &mut SnapshotBuilder, group: &GroupForm) {
    let instances: Vec<InstanceSample<'_>> = group
        .instances
        .iter()
        .map(|instance| InstanceSample {
            name: &instance.name,
            status: instance.status.map_or(InstanceStatus::Running, |s| s.0),
            action: instance.action.map_or(InstanceAction::None, |a| a.0),
            serving: instance.serving,
            last_error: instance.last_error.as_deref(),
        })
        .collect();
    builder.instance_group(
        &GroupSample {
            name: &group.name,
            location: group.location.as_deref().unwrap_or("us-central1-a"),
            target_size: group.target_size,
            current_size: group.current_size.unwrap_or(instances.len() as u32),
            min_size: group.min_size,
            max_size: group.max_size,
            backend: group
                .backend_service
                .as_deref()
                .map(|service| (service, group.capacity_scaler.unwrap_or(1.0))),
        },
        &instances,
    );
}
