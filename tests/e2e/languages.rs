//! Policies written in Python and JavaScript, built with their pinned
//! toolchains and run in the real host: the ports of gpu-weighting decide
//! exactly what the Rust policy decides — on the embedded fleet, cycle after
//! cycle through the real simulators, and on many generated snapshots with
//! hot, throttled, failed, unreadable and stale GPUs and varied settings.

use std::time::Duration;

use fulcrum_host::config::PolicyConfig;
use fulcrum_host::engine::{Mode, RunOutcome};
use fulcrum_host::model::{Decision, Snapshot};
use fulcrum_host::runtime::{PolicySpec, PolicyState, PreparedPolicy};
use fulcrum_host::sim::{Fleet, FleetConfig, NodeFault};
use fulcrum_tests::artifacts::{self, interpreted};
use fulcrum_tests::{World, caching_engine};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The three implementations of gpu-weighting: Rust, Python, JavaScript.
fn implementations() -> [(&'static str, &'static str); 3] {
    [
        ("rust", artifacts::GPU_WEIGHTING),
        ("python", interpreted::python_gpu_weighting()),
        ("javascript", interpreted::js_gpu_weighting()),
    ]
}

/// A spec with room for an interpreter: the deadline is not what these
/// tests are about, and this machine may be busy.
fn roomy_spec(path: &str, settings: serde_json::Value) -> PolicySpec {
    let mut spec = PolicySpec::new(path);
    spec.settings = settings;
    spec.limits.deadline = Duration::from_secs(10);
    spec.limits.memory_bytes = 256 << 20;
    spec
}

/// What one cycle planned, without the name of the policy that planned it.
fn planned(report: &fulcrum_host::engine::CycleReport) -> Vec<String> {
    report
        .plan
        .changes
        .iter()
        .map(|planned| format!("{:?} because {:?}", planned.change, planned.reason))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn python_and_javascript_ports_apply_what_rust_applies_on_the_embedded_fleet() {
    let mut plans = Vec::new();
    for (language, path) in implementations() {
        let mut policy = PolicyConfig::from_command_line(path.into());
        policy.spec = roomy_spec(path, serde_json::json!({}));
        let mut world = World::start_caching(FleetConfig::default(), vec![policy]).await;
        let mut cycles = Vec::new();
        // Past the XID on the third node (cycles 9 to 13) and its recovery.
        for _ in 0..16 {
            let report = world.cycle(Mode::Apply).await;
            assert!(
                report
                    .runs
                    .iter()
                    .all(|run| matches!(run.outcome, RunOutcome::Evaluated(_))),
                "{language}: {:?}",
                report.runs
            );
            assert!(
                report.applied.iter().flatten().all(Result::is_ok),
                "{language}: {:?}",
                report.applied
            );
            cycles.push(planned(&report));
        }
        assert!(
            cycles.iter().any(|plan| !plan.is_empty()),
            "{language} planned nothing in 16 cycles"
        );
        plans.push((language, cycles));
    }
    let (_, rust) = &plans[0];
    for (language, cycles) in &plans[1..] {
        for (cycle, (theirs, ours)) in cycles.iter().zip(rust).enumerate() {
            assert_eq!(
                theirs, ours,
                "{language} differs from rust at cycle {cycle}"
            );
        }
    }
}

/// Settings drawn across their whole valid range.
fn settings(rng: &mut StdRng) -> serde_json::Value {
    let memory_weight: f64 = rng.random_range(0.0..1.0);
    let smoothing = [0.0, 0.5, rng.random_range(0.0..1.0)][rng.random_range(0..3)];
    let min_healthy_share = [1.0, 0.75, 0.5][rng.random_range(0..3)];
    serde_json::json!({
        "memory_weight": memory_weight,
        "compute_weight": 1.0 - memory_weight,
        "min_ratio": rng.random_range(1..5),
        "max_ratio": rng.random_range(20..200),
        "hot_temperature_c": rng.random_range(60.0..90.0),
        "hot_penalty": rng.random_range(0.0..1.0),
        "throttle_penalty": rng.random_range(0.0..1.0),
        "smoothing": smoothing,
        "disable_unhealthy": rng.random_bool(0.8),
        "min_healthy_share": min_healthy_share,
    })
}

/// A fleet of random size and load with random XIDs.
fn fleet(rng: &mut StdRng) -> FleetConfig {
    let nodes = rng.random_range(1..=10);
    let gpus_per_node = rng.random_range(1..=8);
    let faults = (0..rng.random_range(0..4))
        .map(|_| {
            let first = rng.random_range(0..10);
            NodeFault {
                node: rng.random_range(0..nodes),
                gpu: rng.random_range(0..gpus_per_node),
                xid: [79, 48, 94, 13][rng.random_range(0..4)],
                cycles: first..=first + rng.random_range(0..5),
            }
        })
        .collect();
    FleetConfig {
        nodes,
        gpus_per_node,
        offered_load_rps: rng.random_range(10.0..3000.0),
        step_s: 5.0,
        faults,
    }
}

/// Readings a real fleet produces now and then: an unreadable value, a hot
/// or throttled GPU, a stale node.
fn roughen(snapshot: &mut Snapshot, rng: &mut StdRng) {
    let gpus = &mut snapshot.gpus;
    for row in 0..gpus.utilization.len() {
        if rng.random_bool(0.05) {
            gpus.utilization[row] = f32::NAN;
        }
        if rng.random_bool(0.05) {
            gpus.memory_used_mib[row] = f32::NAN;
        }
        if rng.random_bool(0.1) {
            gpus.temperature_c[row] = rng.random_range(70.0..95.0);
        }
        if rng.random_bool(0.05) {
            gpus.throttled[row] = 1;
        }
    }
    for stale in &mut snapshot.nodes.stale {
        if rng.random_bool(0.05) {
            *stale = 1;
        }
    }
}

/// One implementation's policy and the state it carries between cycles.
struct Contender {
    language: &'static str,
    policy: PreparedPolicy,
    state: PolicyState,
}

#[test]
fn python_and_javascript_ports_decide_what_rust_decides_on_generated_snapshots() {
    let engine = caching_engine();
    let mut rng = StdRng::seed_from_u64(0x00f0_1c20_0000);
    let mut compared = 0;
    let mut deciding = 0;
    for scenario in 0..12 {
        let settings = settings(&mut rng);
        let config = fleet(&mut rng);
        let mut contenders: Vec<Contender> = implementations()
            .into_iter()
            .map(|(language, path)| Contender {
                language,
                policy: engine
                    .load(&roomy_spec(path, settings.clone()))
                    .unwrap_or_else(|error| panic!("{language}: {error}")),
                state: PolicyState::default(),
            })
            .collect();
        let mut fleet = Fleet::new(config.clone(), 1_767_225_600_000);
        for cycle in 0..12 {
            fleet.advance();
            let mut snapshot = fleet.snapshot(cycle + 1);
            roughen(&mut snapshot, &mut rng);
            let decisions: Vec<Vec<Decision>> = contenders
                .iter_mut()
                .map(|contender| {
                    contender
                        .policy
                        .evaluate(&snapshot, &mut contender.state)
                        .unwrap_or_else(|error| panic!("{}: {error}", contender.language))
                        .decisions
                })
                .collect();
            let context = format!("scenario {scenario} cycle {cycle}, {config:?}, {settings}");
            for (contender, theirs) in contenders.iter().zip(&decisions).skip(1) {
                assert_eq!(
                    theirs, &decisions[0],
                    "{} decided differently from rust: {context}",
                    contender.language
                );
                assert_eq!(
                    contender.state, contenders[0].state,
                    "{} kept different state from rust: {context}",
                    contender.language
                );
            }
            compared += 1;
            deciding += usize::from(!decisions[0].is_empty());
        }
    }
    // The comparison means something only if the policies had things to do.
    assert_eq!(compared, 144);
    assert!(
        deciding > 72,
        "only {deciding} of 144 snapshots led to decisions"
    );
}
