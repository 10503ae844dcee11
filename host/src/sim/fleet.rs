//! The embedded simulated fleet: GPU nodes behind one ratio-balanced pool,
//! whose utilisation follows the load the pool's weights send them. It hands
//! out snapshots of itself and takes the actions policies decide, so a demo
//! runs the same cycle as production. Its MIG layouts live in a shared
//! [`MigAgent`] that the host's MIG rollout reconfigures.

use crate::model::{
    Availability, GpuSample, Health, MemberSample, MemberState, MigSample, NodeSample, Snapshot,
    SnapshotBuilder,
};

pub use super::config::{FleetConfig, NodeFault};
use super::gpu::{GpuKind, SimGpu};
use super::mig::{MigAgent, SimInstance};

/// Pool and member naming, as in the BIG-IP seed.
pub const POOL: &str = "mlPool";
pub const PARTITION: &str = "Common";
pub const MEMBER_PORT: u16 = 8080;
const INITIAL_RATIO: u32 = 50;
/// Seconds a request holds a connection at light load.
const BASE_LATENCY_S: f64 = 0.25;

#[derive(Debug, Clone)]
struct SimNode {
    name: String,
    address: String,
    ambient_c: f32,
    heat_c: f32,
    gpus: Vec<SimGpu>,
    member: SimMember,
}

#[derive(Debug, Clone)]
struct SimMember {
    ratio: u32,
    state: MemberState,
    connections: u32,
}

/// The simulated fleet.
#[derive(Debug, Clone)]
pub struct Fleet {
    config: FleetConfig,
    nodes: Vec<SimNode>,
    cycle: u64,
    time_ms: u64,
    /// Offered load the last step could not place (no enabled member).
    dropped_rps: f64,
    /// MIG layouts; shared with the clones and with the agent handed out.
    mig: MigAgent,
}

impl Fleet {
    /// A fleet starting idle at `start_ms` (milliseconds since the Unix epoch).
    pub fn new(config: FleetConfig, start_ms: u64) -> Self {
        let nodes: Vec<SimNode> = (0..config.nodes)
            .map(|i| sim_node(i, config.gpus_per_node))
            .collect();
        let mig = MigAgent::new(
            nodes
                .iter()
                .map(|n| (n.name.as_str(), n.gpus[0].kind, n.gpus.len())),
        );
        Fleet {
            config,
            nodes,
            cycle: 0,
            time_ms: start_ms,
            dropped_rps: 0.0,
            mig,
        }
    }

    /// Cycles advanced so far.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// The fleet's clock, ms since the Unix epoch: the start plus the steps taken.
    pub fn time_ms(&self) -> u64 {
        self.time_ms
    }

    /// Requests per second the last step could not place anywhere.
    pub fn dropped_rps(&self) -> f64 {
        self.dropped_rps
    }

    /// The load offered at the current time: a slow swell around the average.
    pub fn offered_load_rps(&self) -> f64 {
        let t = self.cycle as f64 * self.config.step_s;
        self.config.offered_load_rps * (1.0 + 0.3 * (t / 300.0 * std::f64::consts::TAU).sin())
    }

    /// Advance one cycle: apply scheduled faults, route the offered load by
    /// ratio over enabled members, and let the GPUs respond.
    pub fn advance(&mut self) {
        self.cycle += 1;
        self.time_ms += (self.config.step_s * 1000.0) as u64;
        self.apply_faults();
        let offered = self.offered_load_rps();
        let weights: Vec<f64> = self
            .nodes
            .iter()
            .map(|n| {
                if n.member.state == MemberState::Enabled {
                    f64::from(n.member.ratio)
                } else {
                    0.0
                }
            })
            .collect();
        let total: f64 = weights.iter().sum();
        self.dropped_rps = if total > 0.0 { 0.0 } else { offered };
        let step_s = self.config.step_s;
        for (node, weight) in self.nodes.iter_mut().zip(weights) {
            let load = if total > 0.0 {
                offered * weight / total
            } else {
                0.0
            };
            let capacity: f64 = node
                .gpus
                .iter()
                .filter(|g| g.last_xid == 0)
                .map(SimGpu::capacity_rps)
                .sum();
            let demand = if capacity > 0.0 { load / capacity } else { 0.0 };
            for gpu in node.gpus.iter_mut().filter(|g| g.last_xid == 0) {
                gpu.advance(step_s, demand, node.ambient_c, node.heat_c);
            }
            let queueing = 1.0 / (1.0 - demand.min(0.95));
            node.member.connections = (load * BASE_LATENCY_S * queueing).round() as u32;
        }
        let nodes = &self.nodes;
        self.mig
            .advance(|node, gpu| nodes[node].gpus[gpu].utilization);
    }

    /// The node agent that reconfigures the fleet's MIG layouts.
    pub fn mig_agent(&self) -> MigAgent {
        self.mig.clone()
    }

    fn apply_faults(&mut self) {
        for fault in &self.config.faults {
            let Some(gpu) = self
                .nodes
                .get_mut(fault.node)
                .and_then(|n| n.gpus.get_mut(fault.gpu))
            else {
                continue;
            };
            if fault.cycles.contains(&self.cycle) {
                gpu.last_xid = fault.xid;
                gpu.utilization = 0.0;
            } else if self.cycle == fault.cycles.end() + 1 {
                gpu.last_xid = 0;
            }
        }
    }

    /// Every node's loopback address, in node order.
    pub fn node_addresses(&self) -> Vec<String> {
        self.nodes.iter().map(|node| node.address.clone()).collect()
    }

    /// The DCGM exporter `/metrics` body of node `index` (0-based), as the
    /// node's exporter would serve it now.
    pub fn dcgm_metrics(&self, index: usize) -> Option<String> {
        let node = self.nodes.get(index)?;
        let mig = self.mig.instances(index);
        Some(super::exporter::render(&node.name, &node.gpus, &mig))
    }

    /// The fleet as a policy sees it.
    pub fn snapshot(&self, version: u64) -> Snapshot {
        let mut builder = SnapshotBuilder::new();
        for (index, node) in self.nodes.iter().enumerate() {
            let mig = self.mig.instances(index);
            let instances: Vec<Option<Vec<MigSample<'_>>>> = mig
                .iter()
                .map(|gpu| gpu.as_ref().map(|i| i.iter().map(mig_sample).collect()))
                .collect();
            let gpus: Vec<GpuSample<'_>> = node
                .gpus
                .iter()
                .zip(&instances)
                .enumerate()
                .map(|(i, (g, mig))| GpuSample {
                    mig: mig.as_deref(),
                    ..gpu_sample(i, g)
                })
                .collect();
            let health = if gpus.iter().any(|g| g.health == Health::Unhealthy) {
                Health::Unhealthy
            } else {
                Health::Healthy
            };
            let labels = [("nvidia.com/gpu.product", node.gpus[0].kind.model_name())];
            let sample = NodeSample {
                name: &node.name,
                address: &node.address,
                health,
                telemetry_age_ms: 0,
                stale: false,
                labels: &labels,
            };
            builder.node(&sample, &gpus);
        }
        let names: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("{}:{MEMBER_PORT}", n.name))
            .collect();
        let members: Vec<MemberSample<'_>> = self
            .nodes
            .iter()
            .zip(&names)
            .map(|(node, name)| MemberSample {
                name,
                address: &node.address,
                port: MEMBER_PORT,
                ratio: node.member.ratio,
                state: node.member.state,
                availability: Availability::Available,
                current_connections: node.member.connections,
                connection_limit: 0,
            })
            .collect();
        builder.pool(POOL, PARTITION, "ratio-member", &members);
        builder.signal("offered_load_rps", self.offered_load_rps());
        builder.build(version, self.time_ms)
    }

    /// Route load to the member at `address` by `ratio` while it is `state`
    /// (as the load balancer in front of the fleet says). False when no node
    /// has that address.
    pub fn set_member(&mut self, address: &str, ratio: u32, state: MemberState) -> bool {
        match self.nodes.iter_mut().find(|n| n.address == address) {
            Some(node) => {
                node.member.ratio = ratio;
                node.member.state = state;
                true
            }
            None => false,
        }
    }

    /// Each node's name, whether its GPUs are all healthy, and the
    /// connections it holds now: what a load balancer's monitor and stats see.
    pub fn member_load(&self) -> Vec<(&str, bool, u32)> {
        self.nodes
            .iter()
            .map(|n| {
                let healthy = n.gpus.iter().all(|g| g.last_xid == 0);
                (n.name.as_str(), healthy, n.member.connections)
            })
            .collect()
    }
}

fn sim_node(index: usize, gpus_per_node: usize) -> SimNode {
    // Every third node is an older generation; every third, offset by one, is badly cooled.
    let kind = if index % 3 == 2 {
        GpuKind::A100Sxm40
    } else {
        GpuKind::H100Sxm80
    };
    let (ambient_c, heat_c) = if index % 3 == 1 {
        (50.0, 60.0)
    } else {
        (30.0, 42.0)
    };
    let gpus = (0..gpus_per_node)
        .map(|g| {
            // A fixed spread of per-GPU load around the node's mean.
            let skew = 0.88
                + 0.24 * ((g * 7 + index * 3) % gpus_per_node.max(1)) as f64
                    / gpus_per_node.max(1) as f64;
            SimGpu::new(
                kind,
                format!("GPU-{index:04x}{g:04x}-5e1f-4c1a-9b7e-000000000000"),
                skew,
                ambient_c,
            )
        })
        .collect();
    SimNode {
        name: format!("ml-node-{}", index + 1),
        address: node_address(index),
        ambient_c,
        heat_c,
        gpus,
        member: SimMember {
            ratio: INITIAL_RATIO,
            state: MemberState::Enabled,
            connections: 0,
        },
    }
}

/// Loopback address of node `index`: 127.0.1.1 … 127.0.1.254, then on through 127.0.2.x.
pub fn node_address(index: usize) -> String {
    let n = index + 1;
    let (block, host) = ((n - 1) / 254, (n - 1) % 254 + 1);
    format!("127.{}.{}.{host}", block / 255, 1 + block % 255)
}

fn gpu_sample(index: usize, gpu: &SimGpu) -> GpuSample<'_> {
    let failed = gpu.last_xid != 0;
    let reading = |value: f32| if failed { f32::NAN } else { value };
    GpuSample {
        index: index as u32,
        uuid: &gpu.uuid,
        model: gpu.kind.model_name(),
        utilization: reading(gpu.utilization as f32),
        tensor_activity: reading(gpu.utilization as f32 * 0.8),
        memory_used_mib: reading(gpu.memory_used_mib),
        memory_total_mib: gpu.kind.memory_total_mib(),
        temperature_c: reading(gpu.temperature_c),
        power_w: reading(gpu.power_w),
        power_limit_w: gpu.kind.power_limit_w(),
        throttled: !failed && gpu.throttled(),
        last_xid: gpu.last_xid,
        health: if failed {
            Health::Unhealthy
        } else {
            Health::Healthy
        },
        mig: None,
    }
}

fn mig_sample(instance: &SimInstance) -> MigSample<'_> {
    MigSample {
        profile: instance.profile,
        instance_id: instance.id,
        placement_start: instance.start,
        placement_size: instance.size,
        utilization: instance.utilization as f32,
        memory_used_mib: instance.memory_used_mib,
        memory_total_mib: instance.memory_total_mib,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet() -> Fleet {
        Fleet::new(
            FleetConfig {
                faults: vec![],
                ..FleetConfig::default()
            },
            1_700_000_000_000,
        )
    }

    fn mean_utilization(s: &Snapshot, node: u32) -> f32 {
        let rows = s.node_gpus(node);
        let n = rows.len() as f32;
        s.gpus.utilization[rows].iter().sum::<f32>() / n
    }

    #[test]
    fn nodes_live_on_loopback_at_127_0_1_n() {
        assert_eq!(node_address(0), "127.0.1.1");
        assert_eq!(node_address(253), "127.0.1.254");
        assert_eq!(node_address(254), "127.0.2.1");
        let s = fleet().snapshot(1);
        assert_eq!(s.string(s.nodes.address[2]), "127.0.1.3");
        assert_eq!(s.members.node, vec![0, 1, 2]);
    }

    #[test]
    fn utilisation_follows_the_weights() {
        let mut f = fleet();
        assert!(f.set_member("127.0.1.1", 90, MemberState::Enabled));
        assert!(f.set_member("127.0.1.2", 10, MemberState::Enabled));
        assert!(!f.set_member("127.0.9.9", 10, MemberState::Enabled));
        for _ in 0..10 {
            f.advance();
        }
        let s = f.snapshot(1);
        assert!(mean_utilization(&s, 0) > 2.0 * mean_utilization(&s, 1));
    }

    #[test]
    fn a_disabled_member_gets_no_load() {
        let mut f = fleet();
        assert!(f.set_member("127.0.1.1", 50, MemberState::Disabled));
        for _ in 0..20 {
            f.advance();
        }
        let s = f.snapshot(1);
        assert!(mean_utilization(&s, 0) < 0.01);
        assert_eq!(s.members.current_connections[0], 0);
    }

    #[test]
    fn the_exporter_serves_what_the_snapshot_holds() {
        use crate::model::Code;

        let mut f = Fleet::new(FleetConfig::default(), 0);
        for _ in 0..9 {
            f.advance();
        }
        let s = f.snapshot(10);
        for node in 0..3 {
            let text = f.dcgm_metrics(node).unwrap();
            let scrape =
                crate::sources::dcgm::parse_scrape("sim", &text).unwrap_or_else(|e| panic!("{e}"));
            assert!(scrape.warnings.is_empty(), "{:?}", scrape.warnings);
            assert_eq!(scrape.hostnames, vec![format!("ml-node-{}", node + 1)]);
            assert_eq!(scrape.gpus.len(), 8);
            for (reading, row) in scrape.gpus.iter().zip(s.node_gpus(node as u32)) {
                let g = &s.gpus;
                let uuid = reading
                    .uuid
                    .as_deref()
                    .and_then(crate::model::gpu_uuid_halves);
                assert_eq!(uuid, Some((g.uuid_high[row], g.uuid_low[row])));
                assert_eq!(reading.health(), Health::from_code(g.health[row]));
                assert_eq!(reading.throttled(), g.throttled[row] != 0);
                if g.last_xid[row] != 0 {
                    assert_eq!(reading.last_xid, Some(g.last_xid[row]));
                    assert!(reading.utilization.is_nan());
                    continue;
                }
                assert!((reading.utilization - f64::from(g.utilization[row])).abs() < 1e-6);
                assert!((reading.memory_used_mib - f64::from(g.memory_used_mib[row])).abs() <= 0.5);
                assert!(
                    (reading.memory_total_mib - f64::from(g.memory_total_mib[row])).abs() <= 1.0
                );
                assert!((reading.temperature_c - f64::from(g.temperature_c[row])).abs() <= 0.5);
                assert!((reading.power_w - f64::from(g.power_w[row])).abs() < 1e-3);
            }
        }
        assert!(f.dcgm_metrics(3).is_none());
    }

    #[test]
    fn scheduled_xid_makes_the_gpu_unhealthy_then_clears() {
        let mut f = Fleet::new(FleetConfig::default(), 0);
        for _ in 0..9 {
            f.advance();
        }
        let s = f.snapshot(9);
        let gpu = s.node_gpus(2).start + 3;
        assert_eq!(s.gpus.last_xid[gpu], 79);
        assert_eq!(s.node_health(2), Health::Unhealthy);
        assert!(s.gpus.utilization[gpu].is_nan());
        for _ in 0..5 {
            f.advance();
        }
        let s = f.snapshot(14);
        assert_eq!(s.gpus.last_xid[gpu], 0);
        assert_eq!(s.node_health(2), Health::Healthy);
    }
}
