//! Cost of evaluating a policy: gpu-weighting compiled natively on the
//! snapshot already in its own types (the floor), against the same policy as
//! a component, from the host's snapshot to the host's validated decisions,
//! instantiation included; and the fixed cost of one evaluation, by a policy
//! that does nothing, on an empty snapshot (`overhead/empty`) and on the
//! 10,000-node one (`overhead/10000`: what handing that snapshot over costs).
//!
//! `python/1000`, `python/10000`, `js/1000` and `js/10000` evaluate
//! gpu-weighting ported to Python (`plugins/gpu-weighting-py`) and to
//! JavaScript (`plugins/gpu-weighting-js`), built by their pinned toolchains
//! when the bench starts (`scripts/policy-toolchains` installs them), with
//! instantiation and `configure` included, as every evaluation has them.
//!
//! `cargo bench -p fulcrum-host --bench evaluate`

use std::path::Path;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use fulcrum_host::model::{self, SnapshotBuilder};
use fulcrum_host::runtime::{EngineConfig, LimitsSet, PolicyEngine, PolicySpec, PolicyState};
use fulcrum_host::sim::{Fleet, FleetConfig};
use fulcrum_plugin_artifacts as artifacts;
use fulcrum_sdk::column::{self, Packed};
use fulcrum_sdk::testing::MemoryHost;
use fulcrum_sdk::{Policy, SnapshotView};
use gpu_weighting::GpuWeighting;

/// The `host` binary's allocator, for native and wasm alike.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const GPUS_PER_NODE: usize = 8;

/// Fleet sizes every policy is measured at, in nodes.
const FLEET_SIZES: [usize; 2] = [1_000, 10_000];

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
        // Finished instances wait for the reaper thread (up to 64 of them);
        // room for all of those beside the live one keeps a tight loop on a
        // loaded machine from running out of instance slots.
        max_instances: 128,
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
    for nodes in FLEET_SIZES {
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

    let mut spec = PolicySpec::new(artifacts::EMPTY);
    spec.limits.deadline = Duration::from_secs(10);
    let empty = engine.load(&spec).expect("empty loads");
    let nothing = SnapshotBuilder::new().build(1, 0);
    let mut state = PolicyState::default();
    group.bench_function(BenchmarkId::new("overhead", "empty"), |b| {
        b.iter(|| empty.evaluate(&nothing, &mut state).expect("evaluates"))
    });
    let big = fleet_snapshot(10_000);
    group.bench_function(BenchmarkId::new("overhead", "10000"), |b| {
        b.iter(|| empty.evaluate(&big, &mut state).expect("evaluates"))
    });

    let python = artifacts::interpreted::python_gpu_weighting();
    bench_component(&mut group, &engine, "python", Path::new(python));
    let javascript = artifacts::interpreted::js_gpu_weighting();
    bench_component(&mut group, &engine, "js", Path::new(javascript));
    group.finish();
}

/// `<label>/1000` and `<label>/10000`: the component at `path`, a port of
/// gpu-weighting, evaluated from the host's snapshot to validated decisions,
/// instantiation included, under a deadline and memory cap wide enough for
/// an interpreter.
fn bench_component(
    group: &mut BenchmarkGroup<'_, WallTime>,
    engine: &PolicyEngine,
    label: &str,
    path: &Path,
) {
    let mut spec = PolicySpec::new(path);
    spec.limits.deadline = Duration::from_secs(30);
    spec.limits.memory_bytes = 1 << 30;
    spec.limits_set = LimitsSet {
        deadline: true,
        memory: true,
    };
    let policy = engine
        .load(&spec)
        .unwrap_or_else(|error| panic!("{label}: {error}"));
    // An interpreter's evaluation of 10,000 nodes takes up to a second;
    // criterion's fewest samples are enough to tell versions apart.
    group.sample_size(10);
    for nodes in FLEET_SIZES {
        let snapshot = fleet_snapshot(nodes);
        let mut state = PolicyState::default();
        group.bench_with_input(BenchmarkId::new(label, nodes), &snapshot, |b, s| {
            b.iter(|| policy.evaluate(s, &mut state).expect("evaluates"))
        });
    }
}

/// The host's snapshot in the guest SDK's types, column by column, its
/// number columns packed as the contract carries them.
fn to_sdk(s: &model::Snapshot) -> fulcrum_sdk::Snapshot {
    use fulcrum_sdk as g;
    let (n, gp, mi, m) = (&s.nodes, &s.gpus, &s.mig_instances, &s.members);
    let (ig, i) = (&s.instance_groups, &s.instances);
    g::Snapshot {
        version: s.version,
        time_ms: s.time_ms,
        strings: g::SnapshotStrings {
            text: s.strings.text.clone(),
            offsets: packed(&s.strings.offsets),
        },
        nodes: g::Nodes {
            name: packed(&n.name),
            address: packed(&n.address),
            health: n.health.clone(),
            telemetry_age_ms: packed(&n.telemetry_age_ms),
            stale: n.stale.clone(),
            gpu_start: packed(&n.gpu_start),
            label_start: packed(&n.label_start),
        },
        labels: g::Labels {
            node: packed(&s.labels.node),
            key: packed(&s.labels.key),
            value: packed(&s.labels.value),
        },
        gpus: g::Gpus {
            node: packed(&gp.node),
            index: packed(&gp.index),
            uuid_high: packed(&gp.uuid_high),
            uuid_low: packed(&gp.uuid_low),
            model: packed(&gp.model),
            utilization: packed(&gp.utilization),
            tensor_activity: packed(&gp.tensor_activity),
            memory_used_mib: packed(&gp.memory_used_mib),
            memory_total_mib: packed(&gp.memory_total_mib),
            temperature_c: packed(&gp.temperature_c),
            power_w: packed(&gp.power_w),
            power_limit_w: packed(&gp.power_limit_w),
            throttled: gp.throttled.clone(),
            last_xid: packed(&gp.last_xid),
            health: gp.health.clone(),
            mig_enabled: gp.mig_enabled.clone(),
            mig_start: packed(&gp.mig_start),
        },
        mig_instances: g::MigInstances {
            gpu: packed(&mi.gpu),
            profile: packed(&mi.profile),
            instance_id: packed(&mi.instance_id),
            placement_start: mi.placement_start.clone(),
            placement_size: mi.placement_size.clone(),
            utilization: packed(&mi.utilization),
            memory_used_mib: packed(&mi.memory_used_mib),
            memory_total_mib: packed(&mi.memory_total_mib),
        },
        pools: g::Pools {
            name: packed(&s.pools.name),
            partition: packed(&s.pools.partition),
            load_balancing_mode: packed(&s.pools.load_balancing_mode),
            member_start: packed(&s.pools.member_start),
        },
        members: g::Members {
            pool: packed(&m.pool),
            node: packed(&m.node),
            name: packed(&m.name),
            address: packed(&m.address),
            port: packed(&m.port),
            ratio: packed(&m.ratio),
            state: m.state.clone(),
            availability: m.availability.clone(),
            current_connections: packed(&m.current_connections),
            connection_limit: packed(&m.connection_limit),
        },
        instance_groups: g::InstanceGroups {
            name: packed(&ig.name),
            location: packed(&ig.location),
            target_size: packed(&ig.target_size),
            current_size: packed(&ig.current_size),
            min_size: packed(&ig.min_size),
            max_size: packed(&ig.max_size),
            backend_service: packed(&ig.backend_service),
            capacity_scaler: packed(&ig.capacity_scaler),
            instance_start: packed(&ig.instance_start),
        },
        instances: g::Instances {
            group: packed(&i.group),
            node: packed(&i.node),
            name: packed(&i.name),
            status: i.status.clone(),
            action: i.action.clone(),
            serving: i.serving.clone(),
            last_error: packed(&i.last_error),
        },
        signals: g::Signals {
            name: packed(&s.signals.name),
            value: packed(&s.signals.value),
        },
    }
}

/// `column` packed little-endian, one value per row.
fn packed<T: Packed>(column: &[T]) -> Vec<u8> {
    column::pack(column.iter().copied())
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
