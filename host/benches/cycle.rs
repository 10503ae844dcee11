//! A full control-loop cycle at scale: 1,000 simulated GPU nodes × 8 GPUs
//! behind one BIG-IP pool, with the GPU-aware weighting policy. Each cycle
//! scrapes every node's DCGM exporter over loopback HTTP, reads the pool
//! from the BIG-IP simulator (HTTPS) and the group from the GCE simulator,
//! evaluates the policy, guards and plans, applies the changes in one
//! transaction, and records intent and audit in the store. Prints the
//! median and worst time of each stage over the measured cycles, and how
//! large the store file has grown.
//!
//! `cargo bench -p fulcrum-host --bench cycle`
//!
//! On a 2-vCPU VM, with every simulator in this process competing for the
//! same two cores, per-stage medians over repeated runs: collect 48–50 ms
//! (the 1,000 scrapes and the BIG-IP read beside them), evaluate 0.9 ms,
//! guard + plan 0.3 ms, apply 22 ms (the demo queues 8 of the pool's
//! transaction commands at once, `[bigip] transaction_concurrency`), record
//! 6.8 ms; the whole cycle 78–82 ms. The store file grows ≈ 100 KiB a cycle
//! here, every member's ratio changing every cycle: mostly the audit record
//! (≈ 350 KB of JSON — the decisions, and each change with its outcome —
//! stored LZ4-compressed).
//! What bounds each:
//!
//! - collect: per scrape, the HTTP exchange on both ends (client, exporter,
//!   loopback TCP, task wake-ups) outweighs parsing the exposition;
//! - apply: one PATCH per changed member in the pool's transaction, ≈ 22 µs
//!   each for client and simulator together over TLS; a network round
//!   trip each against a real device, which queueing several at once overlaps;
//! - record: hashing the snapshot for the audit record's inputs digest, and
//!   the two durable commits crash safety needs.

use std::time::Duration;

use fulcrum_host::config::PolicyConfig;
use fulcrum_host::demo::Demo;
use fulcrum_host::engine::{Engine, Mode, StageTimings};
use fulcrum_host::observe::Metrics;
use fulcrum_host::runtime::{EngineConfig, PolicyEngine};
use fulcrum_host::sim::FleetConfig;
use fulcrum_host::store::Store;

/// The `host` binary's allocator, so the cycle costs what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NODES: usize = 1_000;
const WARM_UP: usize = 3;
const MEASURED: usize = 20;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(run());
}

async fn run() {
    let fleet = FleetConfig {
        nodes: NODES,
        gpus_per_node: 8,
        offered_load_rps: 150.0 * NODES as f64,
        ..FleetConfig::default()
    };
    let mut demo = Demo::start(fleet.clone(), 1_767_225_600_000)
        .await
        .expect("the demo starts");
    let policy = PolicyConfig::from_command_line(fulcrum_plugin_artifacts::GPU_WEIGHTING.into());
    let config = demo.config(fleet, vec![policy]);
    let backends =
        fulcrum_host::backends::Backends::connect(config.bigip.as_ref(), config.gce.as_ref())
            .await
            .expect("backends connect");
    let state = tempfile::tempdir().expect("a state directory");
    let store = Store::open(&state.path().join("fulcrum.redb")).expect("the store opens");
    let runtime = PolicyEngine::new(&EngineConfig {
        cache_dir: None,
        max_instances: 16,
    })
    .expect("the policy engine starts");
    let mut engine = Engine::new(
        runtime,
        &config,
        backends.clone(),
        Metrics::new(),
        Some(store),
        Some(demo.mig_executor()),
    )
    .expect("the policy loads");

    let mut samples: Vec<(StageTimings, usize, usize)> = Vec::new();
    for cycle in 0..WARM_UP + MEASURED {
        let report = demo
            .cycle(&mut engine, &backends, Mode::Apply)
            .await
            .expect("the world steps");
        assert!(
            report.source_errors.is_empty(),
            "{:?}",
            &report.source_errors[..report.source_errors.len().min(3)]
        );
        assert_eq!(report.snapshot.members.pool.len(), NODES);
        if cycle >= WARM_UP {
            samples.push((
                report.timings,
                report.plan.changes.len(),
                report.snapshot.gpus.node.len(),
            ));
        }
    }
    let (_, changes, gpus) = samples[samples.len() / 2];
    println!(
        "cycle of {NODES} nodes, {gpus} GPUs, ~{changes} changes applied per cycle, {MEASURED} cycles:"
    );
    let stage = |name: &str, pick: fn(&StageTimings) -> Duration| {
        let mut times: Vec<Duration> = samples.iter().map(|(t, _, _)| pick(t)).collect();
        times.sort();
        println!(
            "  {name:<15} median {:>7.2} ms   worst {:>7.2} ms",
            ms(times[times.len() / 2]),
            ms(*times.last().unwrap())
        );
    };
    stage("collect", |t| t.collect);
    stage("evaluate", |t| t.evaluate);
    stage("guard + plan", |t| t.guard_and_plan);
    stage("apply", |t| t.apply);
    stage("record", |t| t.record);
    stage("whole cycle", |t| {
        t.collect + t.evaluate + t.guard_and_plan + t.apply + t.record
    });
    let store_bytes = std::fs::metadata(state.path().join("fulcrum.redb"))
        .expect("the store file")
        .len();
    println!(
        "  store file      {:.0} KiB after {} cycles, {:.0} KiB a cycle",
        store_bytes as f64 / 1024.0,
        WARM_UP + MEASURED,
        store_bytes as f64 / 1024.0 / (WARM_UP + MEASURED) as f64
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
