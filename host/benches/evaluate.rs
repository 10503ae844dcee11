//! Cost of evaluating a policy: gpu-weighting compiled natively on the
//! snapshot already in its own types (the floor), against the same policy as
//! a component, from the host's snapshot to the host's validated decisions,
//! instantiation included; and the fixed cost of one evaluation, by a policy
//! that does nothing, on an empty snapshot (`overhead/empty`) and on the
//! 10,000-node one (`overhead/10000`: what handing that snapshot over costs).
//!
//! `cargo bench -p fulcrum-host --bench evaluate`

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fulcrum_host::model::{self, SnapshotBuilder};
use fulcrum_host::runtime::{EngineConfig, PolicyEngine, PolicySpec, PolicyState};
use fulcrum_host::sim::{Fleet, FleetConfig};
use fulcrum_plugin_artifacts as artifacts;
use fulcrum_sdk::testing::MemoryHost;
use fulcrum_sdk::{Policy, SnapshotView};
use gpu_weighting::GpuWeighting;

/// The `host` binary's allocator, for native and wasm alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const GPUS_PER_NODE: usize = 8;

fn fleet_snapshot(nodes: usize) -> model::Snapshot {
    let config = FleetConfig {
        nodes,
        gpus_per_node: GPUS_PER_NODE,
        faults: Vec::new(),
        ..FleetConfig::default()
    };
    let mut fleet = Fleet::new(config, 1_767_225_600_000);
    for _ in 0..5 {
        fleet.advance();
    }
    fleet.snapshot(6)
}

fn engine() -> PolicyEngine {
    PolicyEngine::new(&EngineConfig {
        cache_dir: None,
        max_instances: 4,
    })
    .expect("engine starts")
}

fn evaluate(c: &mut Criterion) {
    let engine = engine();
    let mut spec = PolicySpec::new(artifacts::GPU_WEIGHTING);
    spec.limits.deadline = Duration::from_secs(10);
    spec.limits.memory_bytes = 256 << 20;
    let component = engine.load(&spec).expect("gpu-weighting loads");
    let native = GpuWeighting::configure("{}").expect("default settings");

    let mut group = c.benchmark_group("evaluate");
    for nodes in [1_000, 10_000] {
        let snapshot = fleet_snapshot(nodes);
        let guest_snapshot = to_sdk(&snapshot);
        let mut host = MemoryHost::new();
        group.bench_with_input(
            BenchmarkId::new("native", nodes),
            &guest_snapshot,
            |b, s| {
                b.iter(|| {
                    native
                        .decide(&SnapshotView::new(s), &mut host)
                        .expect("decides")
                })
            },
        );
        let mut state = PolicyState::default();
        group.bench_with_input(BenchmarkId::new("wasm", nodes), &snapshot, |b, s| {
            b.iter(|| component.evaluate(s, &mut state).expect("evaluates"))
        });
    }

    let empty = engine
        .load(&PolicySpec::new(artifacts::EMPTY))
        .expect("empty loads");
    let nothing = SnapshotBuilder::new().build(1, 0);
    let mut state = PolicyState::default();
    group.bench_function(BenchmarkId::new("overhead", "empty"), |b| {
        b.iter(|| empty.evaluate(&nothing, &mut state).expect("evaluates"))
    });
    let big = fleet_snapshot(10_000);
    group.bench_function(BenchmarkId::new("overhead", "10000"), |b| {
        b.iter(|| empty.evaluate(&big, &mut state).expect("evaluates"))
    });
    group.finish();
}

/// The host's snapshot in the guest SDK's types, column by column (both are
/// generated from the same WIT record).
fn to_sdk(s: &model::Snapshot) -> fulcrum_sdk::Snapshot {
    use fulcrum_sdk as g;
    let (n, gp, mi, m) = (&s.nodes, &s.gpus, &s.mig_instances, &s.members);
    let (ig, i) = (&s.instance_groups, &s.instances);
    g::Snapshot {
        version: s.version,
        time_ms: s.time_ms,
        strings: g::StringTable {
            text: s.strings.text.clone(),
            offsets: s.strings.offsets.clone(),
        },
        nodes: g::Nodes {
            name: n.name.clone(),
            address: n.address.clone(),
            health: n.health.clone(),
            telemetry_age_ms: n.telemetry_age_ms.clone(),
            stale: n.stale.clone(),
            gpu_start: n.gpu_start.clone(),
            label_start: n.label_start.clone(),
        },
        labels: g::Labels {
            node: s.labels.node.clone(),
            key: s.labels.key.clone(),
            value: s.labels.value.clone(),
        },
        gpus: g::Gpus {
            node: gp.node.clone(),
            index: gp.index.clone(),
            uuid_high: gp.uuid_high.clone(),
            uuid_low: gp.uuid_low.clone(),
            model: gp.model.clone(),
            utilization: gp.utilization.clone(),
            tensor_activity: gp.tensor_activity.clone(),
            memory_used_mib: gp.memory_used_mib.clone(),
            memory_total_mib: gp.memory_total_mib.clone(),
            temperature_c: gp.temperature_c.clone(),
            power_w: gp.power_w.clone(),
            power_limit_w: gp.power_limit_w.clone(),
            throttled: gp.throttled.clone(),
            last_xid: gp.last_xid.clone(),
            health: gp.health.clone(),
            mig_enabled: gp.mig_enabled.clone(),
            mig_start: gp.mig_start.clone(),
        },
        mig_instances: g::MigInstances {
            gpu: mi.gpu.clone(),
            profile: mi.profile.clone(),
            instance_id: mi.instance_id.clone(),
            placement_start: mi.placement_start.clone(),
            placement_size: mi.placement_size.clone(),
            utilization: mi.utilization.clone(),
            memory_used_mib: mi.memory_used_mib.clone(),
            memory_total_mib: mi.memory_total_mib.clone(),
        },
        pools: g::Pools {
            name: s.pools.name.clone(),
            partition: s.pools.partition.clone(),
            load_balancing_mode: s.pools.load_balancing_mode.clone(),
            member_start: s.pools.member_start.clone(),
        },
        members: g::Members {
            pool: m.pool.clone(),
            node: m.node.clone(),
            name: m.name.clone(),
            address: m.address.clone(),
            port: m.port.clone(),
            ratio: m.ratio.clone(),
            state: m.state.clone(),
            availability: m.availability.clone(),
            current_connections: m.current_connections.clone(),
            connection_limit: m.connection_limit.clone(),
        },
        instance_groups: g::InstanceGroups {
            name: ig.name.clone(),
            location: ig.location.clone(),
            target_size: ig.target_size.clone(),
            current_size: ig.current_size.clone(),
            min_size: ig.min_size.clone(),
            max_size: ig.max_size.clone(),
            backend_service: ig.backend_service.clone(),
            capacity_scaler: ig.capacity_scaler.clone(),
            instance_start: ig.instance_start.clone(),
        },
        instances: g::Instances {
            group: i.group.clone(),
            node: i.node.clone(),
            name: i.name.clone(),
            status: i.status.clone(),
            action: i.action.clone(),
            serving: i.serving.clone(),
            last_error: i.last_error.clone(),
        },
        signals: g::Signals {
            name: s.signals.name.clone(),
            value: s.signals.value.clone(),
        },
    }
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
