//! Cost of evaluating a policy: gpu-weighting compiled natively on the
//! snapshot already in its own types (the floor), against the same policy as
//! a component, from the host's snapshot to the host's validated decisions,
//! instantiation included; and the fixed cost of one evaluation, by a policy
//! that does nothing, on an empty snapshot (`overhead/empty`) and on the
//! 10,000-node one (`overhead/10000`: what handing that snapshot over costs).
//!
//! `python/1000` and `python/10000` evaluate gpu-weighting ported to Python
//! (`plugins/gpu-weighting-py`), built beforehand by the Python toolchain;
//! they are skipped, with a message saying how to build it, when the
//! component is not there. Another language's port is one more
//! [`bench_component`] call with its own component path.
//!
//! ```sh
//! plugins/sdk-python/build --stub-wasi plugins/gpu-weighting-py
//! cargo bench -p fulcrum-host --bench evaluate
//! ```
//!
//! The Python component is read from `$FULCRUM_BENCH_PYTHON_POLICY`, or by
//! default from where the build script writes it,
//! `target/wasm-python/gpu_weighting.wasm` under the workspace root.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
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

/// Fleet sizes every policy is measured at, in nodes.
const FLEET_SIZES: [usize; 2] = [1_000, 10_000];

/// Overrides where the Python gpu-weighting component is read from.
const PYTHON_POLICY_VAR: &str = "FULCRUM_BENCH_PYTHON_POLICY";

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

    bench_component(&mut group, &engine, "python", &python_policy());
    group.finish();
}

/// The Python gpu-weighting component: `$FULCRUM_BENCH_PYTHON_POLICY`, or
/// the Python build script's default output.
fn python_policy() -> PathBuf {
    std::env::var_os(PYTHON_POLICY_VAR)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../target/wasm-python/gpu_weighting.wasm")
        })
}

/// `<label>/1000` and `<label>/10000`: the component at `path`, a port of
/// gpu-weighting, evaluated from the host's snapshot to validated decisions,
/// instantiation included, under a deadline and memory cap wide enough for
/// an interpreter. Skipped, with a message, when `path` is not a file.
fn bench_component(
    group: &mut BenchmarkGroup<'_, WallTime>,
    engine: &PolicyEngine,
    label: &str,
    path: &Path,
) {
    if !path.is_file() {
        eprintln!(
            "skipping {label}/*: no component at {} (build it first; see this bench's doc comment)",
            path.display()
        );
        return;
    }
    let mut spec = PolicySpec::new(path);
    spec.limits.deadline = Duration::from_secs(30);
    spec.limits.memory_bytes = 1 << 30;
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
