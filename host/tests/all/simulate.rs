//! `host simulate` with the real example policies, built to wasm32-wasip2,
//! in the real sandbox: on the small example scenario the scorecards have
//! their shape and the policies beat the seed's static setup the way they
//! should; the same seed gives the same JSON, byte for byte; a scenario's
//! mistakes are named with their lines; `--report` writes its page.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fulcrum_host::runtime::{EngineConfig, PolicyEngine};
use fulcrum_host::simulate::{self, BASELINE, Options, Scenario};
use fulcrum_plugin_artifacts as artifacts;

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/simulate")
        .join(name)
}

fn host_simulate(args: &[&str]) -> Output {
    let _alone = crate::common::alone();
    Command::new(env!("CARGO_BIN_EXE_host"))
        .arg("simulate")
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("host runs")
}

#[test]
fn the_example_policies_beat_the_seed_on_the_small_scenario() {
    let engine = PolicyEngine::new(&EngineConfig {
        cache_dir: None,
        ..EngineConfig::default()
    })
    .unwrap();
    let options = Options {
        scenario: Scenario::load(&example("small.toml")).unwrap(),
        trace: None,
        seed: None,
        baseline: true,
        policy_sets: vec![
            vec![artifacts::GPU_WEIGHTING.into()],
            vec![artifacts::QUEUE_SCALING.into()],
            vec![
                artifacts::GPU_WEIGHTING.into(),
                artifacts::QUEUE_SCALING.into(),
            ],
        ],
        oracle: true,
        threads: 2,
    };
    let report = simulate::simulate(&engine, &options).unwrap().report();
    let labels: Vec<&str> = report.runs.iter().map(|r| r.run.as_str()).collect();
    assert_eq!(
        labels,
        [
            BASELINE,
            "gpu-weighting",
            "queue-scaling",
            "gpu-weighting + queue-scaling"
        ]
    );
    let [seed, weighting, scaling, both] = &report.runs[..] else {
        unreachable!()
    };
    for run in &report.runs {
        assert_eq!(run.requests, seed.requests, "{}: the same load", run.run);
        assert_eq!(run.served + run.failed + run.unfinished, run.requests);
        assert_eq!(run.minutes.len(), 20, "{}", run.run);
        assert_eq!(run.policy_failures, 0, "{}", run.run);
        let (p50, p99) = (run.ttft_p50_s.unwrap(), run.ttft_p99_s.unwrap());
        assert!(p50 <= p99 && run.queue_delay_p99_s.unwrap() <= p99);
        assert!((0.0..=1.0).contains(&run.slo_attainment));
    }
    // The seed keeps equal ratios and three … two instances: nothing written.
    assert_eq!((seed.bigip_writes, seed.resizes), (0, 0));
    // Weighting moves load off the older and the hot node.
    assert!(weighting.bigip_writes > 0 && weighting.resizes == 0);
    assert!(
        weighting.ttft_p99_s.unwrap() < seed.ttft_p99_s.unwrap() / 5.0,
        "gpu-weighting p99 {:?} vs seed {:?}",
        weighting.ttft_p99_s,
        seed.ttft_p99_s
    );
    assert!(weighting.slo_violation_minutes < seed.slo_violation_minutes);
    // Scaling buys capacity for the SLO.
    assert!(scaling.resizes > 0 && scaling.bigip_writes == 0);
    assert!(scaling.instance_hours > seed.instance_hours);
    assert!(scaling.slo_attainment > seed.slo_attainment);
    // Together, better than either alone.
    assert!(both.slo_attainment > weighting.slo_attainment.max(scaling.slo_attainment));
    let oracle = report
        .oracle_instance_hours
        .expect("the scenario has a group");
    assert!(oracle > 0.0 && oracle <= 4.0 * 20.0 / 60.0);
}

#[test]
fn the_same_seed_gives_the_same_json() {
    let scenario = example("small.toml");
    let policies = format!("{},{}", artifacts::GPU_WEIGHTING, artifacts::QUEUE_SCALING);
    let run = |seed: &str| {
        let out = host_simulate(&[
            "--scenario",
            scenario.to_str().unwrap(),
            "--baseline",
            "seed",
            "--policy",
            &policies,
            "--json",
            "--seed",
            seed,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let first = run("7");
    assert_eq!(first, run("7"), "the same seed, the same scorecards");
    let json: serde_json::Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(json["seed"], 7);
    assert_eq!(json["runs"][1]["run"], "gpu-weighting + queue-scaling");
    assert!(json["runs"][0]["ttft_p99_s"].is_f64());
    assert_ne!(first, run("8"), "another seed, other requests");
}

#[test]
fn a_scenario_s_mistakes_are_named_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[load]\ntrace = \"t.csv\"\n[[fleet.nodes]]\ngpu = \"V100\"\n[group]\nmax = 5\n[guard]\nmin_group_size = 9\nmax_group_size = 3\n",
    )
    .unwrap();
    let out = host_simulate(&["--scenario", path.to_str().unwrap(), "--baseline", "seed"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "fleet.nodes[0].gpu (line 4): unknown GPU \"V100\"",
        "group.max (line 6): 5 is more than the fleet's 1 nodes",
        "guard.min_group_size (line 8): 9 is larger than max_group_size 3",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in {stderr}"
        );
    }
}

#[test]
fn a_report_is_a_page_of_charts() {
    let dir = tempfile::tempdir().unwrap();
    let out = host_simulate(&[
        "--scenario",
        example("small.toml").to_str().unwrap(),
        "--baseline",
        "seed",
        "--policy",
        artifacts::QUEUE_SCALING,
        "--report",
        dir.path().to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("TTFT p99 (s)") && stdout.contains("queue-scaling"),
        "{stdout}"
    );
    let page = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    for chart in [
        "load.svg",
        "queue.svg",
        "ttft.svg",
        "size.svg",
        "spread.svg",
        "ratios-0.svg",
        "ratios-1.svg",
    ] {
        assert!(page.contains(chart), "the page shows {chart}");
        let svg = std::fs::read_to_string(dir.path().join(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("<polyline"),
            "{chart}"
        );
    }
    let size = std::fs::read_to_string(dir.path().join("size.svg")).unwrap();
    assert!(size.contains("oracle") && size.contains("queue-scaling"));
}
