//! The fleet as the host sees it each cycle: every node's GPUs as a DCGM
//! exporter would report them, turned into snapshot rows by the host's own
//! telemetry code ([`NodeTelemetry::add_to`], the path a real scrape takes
//! into the [`SnapshotBuilder`]), then the pool, the instance group and the
//! demand signals.
//!
//! Per GPU, what DCGM's default counters give: engine activity (the share
//! of the last cycle the GPU's replica was busy; under MIG, per instance,
//! with the whole GPU's left to the instances' mean as the exporter leaves
//! it), framebuffer memory (the weights plus the KV cache reserved, as if the
//! server grew its cache on demand — vLLM preallocates it, so on a real vLLM
//! fleet this reads flat and the KV use is in `vllm:kv_cache_usage_perc`),
//! temperature, power (idle 70 W to the limit with activity, 80 % of the limit
//! while throttled, as the demo's exporter reports it), the SM clock and the
//! thermal-slowdown clock event reason (0x20) while throttled, and the last
//! XID. A GPU out of service after a fatal XID reports only its XID. A node
//! being created has no telemetry yet; a lost node's last readings age and go
//! stale after three cycles.
//!
//! Signals: `queue-depth` (requests waiting for their first token, at the
//! nodes and in prefill), `requests-in-flight` (every request held),
//! `arrival-rate` (requests per second over the last cycle).

use std::sync::Arc;

use super::fleet::{Fleet, Life, Slot, member_name};
use super::gpu::{IDLE_POWER_W, THROTTLE_C};
use super::node::Node;
use super::scenario::NodeClass;
use crate::model::{
    GroupSample, InstanceAction, InstanceSample, InstanceStatus, MemberSample, Snapshot,
    SnapshotBuilder,
};
use crate::sources::{GpuReading, MigInstance, NodeIdentity, NodeReadings, NodeTelemetry};

/// NVML clock-event reason "SW thermal slowdown".
const SW_THERMAL_SLOWDOWN: u64 = 0x20;
/// SM clock at full speed and throttled, MHz.
const SM_CLOCK_MHZ: (f64, f64) = (1_980.0, 1_410.0);
/// Cycles after which a lost node's readings are stale.
const STALE_AFTER_CYCLES: f64 = 3.0;
/// The error a group's instance shows while no capacity can be had.
const STOCKOUT: &str = "ZONE_RESOURCE_POOL_EXHAUSTED: The zone does not have enough resources available to fulfill the request";

/// The demand the fleet sees this cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Demand {
    pub queue_depth: f64,
    pub in_flight: f64,
    pub arrival_rate: f64,
}

/// One node's readings this cycle, for the snapshot and the scorecard.
pub struct Observed {
    /// Per node slot with telemetry: its readings.
    pub readings: Vec<Option<Arc<NodeReadings>>>,
    /// Mean engine activity of each serving node, by slot.
    pub utilization: Vec<(usize, f64)>,
    pub demand: Demand,
}

/// Read every serving node's GPUs at `now_s` (the busy shares since the last
/// read); `arrivals` came in over the last `cycle_s`.
pub fn observe(
    fleet: &mut Fleet,
    now_s: f64,
    now_ms: u64,
    arrivals: usize,
    cycle_s: f64,
) -> Observed {
    let mut readings = Vec::with_capacity(fleet.slots.len());
    let mut utilization = Vec::new();
    let mut demand = Demand {
        arrival_rate: arrivals as f64 / cycle_s,
        ..Demand::default()
    };
    for (index, slot) in fleet.slots.iter_mut().enumerate() {
        let class = &fleet.classes[slot.class];
        let read = match (&slot.life, &mut slot.node) {
            (Life::Serving | Life::Draining, Some(node)) => {
                node.read_busy(now_s);
                demand.queue_depth += node.waiting() as f64;
                demand.in_flight += node.outstanding() as f64;
                let node_readings = node_readings(index, node, class, now_ms);
                let busy: Vec<f64> = node.gpus.iter().map(|g| gpu_load(node, g)).collect();
                if slot.life == Life::Serving && !busy.is_empty() {
                    utilization.push((index, busy.iter().sum::<f64>() / busy.len() as f64));
                }
                Some(Arc::new(node_readings))
            }
            _ => None,
        };
        readings.push(read);
    }
    Observed {
        readings,
        utilization,
        demand,
    }
}

/// A GPU's engine activity: its replicas' busy shares, by compute share.
fn gpu_load(node: &Node, gpu: &super::node::Gpu) -> f64 {
    gpu.replicas
        .clone()
        .zip(&gpu.busy)
        .map(|(r, busy)| busy * node.replicas[r].spec.compute_share)
        .sum()
}

/// `GPU-…` for GPU `gpu` of slot `slot`.
fn gpu_uuid(slot: usize, gpu: usize) -> String {
    format!("GPU-{:08x}-{:04x}-4000-8000-000000000000", slot + 1, gpu)
}

fn node_readings(slot: usize, node: &Node, class: &NodeClass, now_ms: u64) -> NodeReadings {
    let mut gpus = Vec::with_capacity(node.gpus.len());
    let mut mig_instances = Vec::new();
    let model = class.gpu.model_name();
    for (index, gpu) in node.gpus.iter().enumerate() {
        let uuid = gpu_uuid(slot, index);
        let base = GpuReading {
            index: Some(index as u32),
            uuid: Some(uuid),
            model: Some(model.to_owned()),
            power_limit_w: class.gpu.power_limit_w(),
            last_xid: Some(gpu.xid),
            mig_enabled: Some(class.mig.is_some()),
            ..GpuReading::default()
        };
        if gpu.failed {
            gpus.push(base);
            continue;
        }
        let load = gpu_load(node, gpu);
        let throttled = gpu.thermal.temperature_c >= THROTTLE_C;
        let total = class.gpu.memory_mib();
        let used: f64 = gpu
            .replicas
            .clone()
            .map(|r| {
                node.replicas[r]
                    .spec
                    .memory_used_mib(node.replicas[r].kv_reserved())
            })
            .sum();
        let limit = class.gpu.power_limit_w();
        let reading = GpuReading {
            utilization: if class.mig.is_some() { f64::NAN } else { load },
            tensor_activity: load * 0.8,
            memory_used_mib: used,
            memory_free_mib: total - used,
            memory_total_mib: total,
            temperature_c: gpu.thermal.temperature_c.round(),
            power_w: if throttled {
                limit * 0.8
            } else {
                IDLE_POWER_W + (limit - IDLE_POWER_W) * load
            },
            sm_clock_mhz: if throttled {
                SM_CLOCK_MHZ.1
            } else {
                SM_CLOCK_MHZ.0
            },
            throttle_reasons: Some(if throttled { SW_THERMAL_SLOWDOWN } else { 0 }),
            ..base.clone()
        };
        if let Some(layout) = &class.mig {
            for ((id, instance), (r, busy)) in layout
                .iter()
                .enumerate()
                .zip(gpu.replicas.clone().zip(&gpu.busy))
            {
                let replica = &node.replicas[r];
                mig_instances.push(GpuReading {
                    mig: Some(MigInstance {
                        instance_id: id as u32 + 1,
                        profile: Some(instance.profile.to_owned()),
                    }),
                    utilization: *busy,
                    memory_used_mib: replica.spec.memory_used_mib(replica.kv_reserved()),
                    memory_total_mib: replica.spec.memory_mib,
                    ..base.clone()
                });
            }
        }
        gpus.push(reading);
    }
    NodeReadings {
        target: format!(
            "simulated DCGM exporter of {}",
            super::scenario::node_name(slot)
        ),
        read_at_ms: now_ms,
        gpus,
        mig_instances,
        mig_devices: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Which cycle a snapshot is for.
#[derive(Debug, Clone, Copy)]
pub struct Cycle {
    pub version: u64,
    pub now_s: f64,
    /// The virtual time in ms since the Unix epoch.
    pub now_ms: u64,
    /// Seconds between cycles.
    pub cycle_s: f64,
}

/// The snapshot policies get: nodes (with their telemetry), the pool, the
/// group and the signals. `last` keeps each slot's last readings, for nodes
/// that stop reporting.
pub fn snapshot(
    fleet: &Fleet,
    observed: &Observed,
    last: &mut [(Option<Arc<NodeReadings>>, u64)],
    pool: &str,
    cycle: Cycle,
) -> Snapshot {
    let Cycle {
        version,
        now_s,
        now_ms,
        cycle_s,
    } = cycle;
    let mut builder = SnapshotBuilder::new();
    for (index, slot) in fleet.slots.iter().enumerate() {
        if let Some(fresh) = &observed.readings[index] {
            last[index] = (Some(Arc::clone(fresh)), now_ms);
        }
        if !matches!(
            slot.life,
            Life::Creating { .. } | Life::Serving | Life::Lost { .. }
        ) {
            continue;
        }
        let (readings, read_ms) = match (&observed.readings[index], slot.life) {
            (Some(fresh), _) => (Some(Arc::clone(fresh)), now_ms),
            (None, Life::Lost { .. }) => last[index].clone(),
            _ => (None, now_ms),
        };
        let age_ms = now_ms.saturating_sub(read_ms);
        let telemetry = NodeTelemetry {
            source: readings.as_ref().map(|_| 0),
            stale: readings.is_none() || age_ms as f64 > STALE_AFTER_CYCLES * cycle_s * 1_000.0,
            age_ms: if readings.is_some() {
                u32::try_from(age_ms).unwrap_or(u32::MAX)
            } else {
                u32::MAX
            },
            readings,
        };
        let identity = NodeIdentity {
            name: slot.name.clone(),
            address: slot.address.clone(),
            hostname: Some(slot.name.clone()),
        };
        telemetry.add_to(&mut builder, &identity, &[]);
    }
    add_pool(&mut builder, fleet, pool, now_s);
    add_group(&mut builder, fleet, now_s);
    let demand = observed.demand;
    builder.signal("queue-depth", demand.queue_depth);
    builder.signal("requests-in-flight", demand.in_flight);
    builder.signal("arrival-rate", demand.arrival_rate);
    builder.build(version, now_ms)
}

fn add_pool(builder: &mut SnapshotBuilder, fleet: &Fleet, pool: &str, now_s: f64) {
    let names: Vec<(usize, String)> = fleet
        .slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.member.is_some())
        .map(|(i, _)| (i, member_name(i)))
        .collect();
    let members: Vec<MemberSample<'_>> = names
        .iter()
        .map(|(i, name)| {
            let slot: &Slot = &fleet.slots[*i];
            let member = slot.member.expect("filtered to members");
            MemberSample {
                name,
                address: &slot.address,
                port: super::fleet::MEMBER_PORT,
                ratio: member.ratio,
                state: member.state,
                availability: slot.availability(now_s),
                current_connections: slot
                    .node
                    .as_ref()
                    .map_or(0, |n| u32::try_from(n.outstanding()).unwrap_or(u32::MAX)),
                connection_limit: 0,
            }
        })
        .collect();
    builder.pool(pool, "Common", "ratio-member", &members);
}

fn add_group(builder: &mut SnapshotBuilder, fleet: &Fleet, now_s: f64) {
    let Some(group) = &fleet.group else {
        return;
    };
    let instances: Vec<InstanceSample<'_>> = fleet
        .slots
        .iter()
        .filter_map(|slot| {
            let (status, action, serving, last_error) = match slot.life {
                Life::Creating { created_s, .. } => {
                    let waiting = group.started_at(created_s) > now_s;
                    if waiting {
                        (
                            InstanceStatus::Absent,
                            InstanceAction::Creating,
                            false,
                            Some(STOCKOUT),
                        )
                    } else {
                        (
                            InstanceStatus::Provisioning,
                            InstanceAction::Creating,
                            false,
                            None,
                        )
                    }
                }
                Life::Serving | Life::Lost { .. } => {
                    (InstanceStatus::Running, InstanceAction::None, true, None)
                }
                Life::Absent | Life::Draining => return None,
            };
            Some(InstanceSample {
                name: &slot.name,
                status,
                action,
                serving,
                last_error,
            })
        })
        .collect();
    builder.instance_group(
        &GroupSample {
            name: &group.spec.name,
            location: "us-central1-a",
            target_size: group.target,
            current_size: instances.len() as u32,
            min_size: group.spec.min,
            max_size: group.spec.max,
            backend: None,
        },
        &instances,
    );
}
