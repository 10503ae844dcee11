//! `host simulate` at scale, in virtual time, with the real example policies
//! in the real sandbox; prints the wall time of each and its scorecards.
//!
//! `cargo bench -p fulcrum-host --bench simulate`
//!
//! - one hour of the shared Azure conversation trace (×250: 4.8 million
//!   requests) on 100 nodes × 8 GPUs (70 H100, 10 of them badly cooled,
//!   20 A100-40) in an instance group, gpu-weighting and queue-scaling
//!   together, every 15 s. Target ≤ 10 s. Then again with the oracle for
//!   that group, which replays every minute at several sizes.
//! - 24 hours of synthetic diurnal load (35 million requests) on 1,000 nodes
//!   × 8 GPUs behind one pool, gpu-weighting every 30 s. Target ≤ 60 s.
//!
//! On a 2-vCPU VM: the trace hour 2.6 s (7.9 s with the oracle), the
//! synthetic day 23.9 s (contract 0.3.0).

use std::path::Path;
use std::time::Instant;

use fulcrum_host::runtime::{EngineConfig, PolicyEngine};
use fulcrum_host::simulate::{self, Options, Scenario, report};
use fulcrum_plugin_artifacts as artifacts;

/// The `host` binary's allocator, so the simulation costs what it costs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const TRACE_HOUR: &str = r#"
name = "100 nodes × 8 GPUs, Azure conversation trace ×250"
[load]
trace = "tests/fixtures/traces/azure-llm-conv-2023.csv"
scale = 250
[[fleet.nodes]]
count = 60
gpu = "H100"
[[fleet.nodes]]
count = 10
gpu = "H100"
cooling = "poor"
[[fleet.nodes]]
count = 20
gpu = "A100-40"
[[fleet.nodes]]
count = 10
gpu = "H100"
[group]
initial = 60
min = 20
max = 100
[policies.queue-scaling]
settings = { signal = "arrival-rate", target_per_instance = 28 }
"#;

const SYNTHETIC_DAY: &str = r#"
name = "1,000 nodes × 8 GPUs, 24 h of synthetic diurnal load"
[run]
duration = "24h"
cycle = "30s"
[load.synthetic]
rate = 400.0
amplitude = 0.5
prompt_tokens = 1155
output_tokens = 211
tokens = "exponential"
[[load.synthetic.bursts]]
at = "18h"
duration = "20m"
factor = 2.0
[[fleet.nodes]]
count = 700
gpu = "H100"
[[fleet.nodes]]
count = 100
gpu = "H100"
cooling = "poor"
[[fleet.nodes]]
count = 200
gpu = "A100-40"
"#;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let engine = PolicyEngine::new(&EngineConfig {
        cache_dir: None,
        ..EngineConfig::default()
    })
    .expect("a WebAssembly engine");
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let both = vec![vec![
        artifacts::GPU_WEIGHTING.into(),
        artifacts::QUEUE_SCALING.into(),
    ]];
    measure(&engine, &root, TRACE_HOUR, both.clone(), false, threads);
    measure(&engine, &root, TRACE_HOUR, both, true, threads);
    let weighting = vec![vec![artifacts::GPU_WEIGHTING.into()]];
    measure(&engine, &root, SYNTHETIC_DAY, weighting, false, threads);
}

fn measure(
    engine: &PolicyEngine,
    root: &Path,
    text: &str,
    policy_sets: Vec<Vec<std::path::PathBuf>>,
    oracle: bool,
    threads: usize,
) {
    let scenario = Scenario::parse(text, root).expect("the bench's scenario");
    let name = scenario.name.clone();
    let options = Options {
        scenario,
        trace: None,
        seed: None,
        baseline: false,
        policy_sets,
        oracle,
        threads,
    };
    let started = Instant::now();
    let simulation = simulate::simulate(engine, &options).expect("the simulation runs");
    let took = started.elapsed();
    let with = if oracle { ", with the oracle" } else { "" };
    println!(
        "{name}{with}: {:.2} s on {threads} threads (loading and compiling the policies included)",
        took.as_secs_f64()
    );
    print!("{}", report::table(&simulation.report()));
    println!();
}
