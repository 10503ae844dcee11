//! The `host` binary as a user runs it: exit codes, messages, the demo table.

use std::process::{Command, Output};

use fulcrum_plugin_artifacts as artifacts;

fn host(args: &[&str]) -> Output {
    let _alone = crate::common::alone();
    Command::new(env!("CARGO_BIN_EXE_host"))
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("host runs")
}

/// `host run ARGS --cycles N --interval 0s`.
fn run_cycles(args: &[&str], cycles: &str) -> Output {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--cycles", cycles, "--interval", "0s"]);
    host(&all)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_prints_metadata_and_imports() {
    let out = host(&["check", artifacts::GPU_WEIGHTING]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.starts_with("gpu-weighting "), "{stdout}");
    assert!(
        stdout.contains("  actions    member-ratio, member-state\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    fulcrum:policy/log@0.3.0        granted\n"),
        "{stdout}"
    );
}

#[test]
fn check_calls_configure_and_fails_naming_its_error() {
    let out = host(&["check", artifacts::EMPTY]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).ends_with("  configure  ok with settings {}\n"),
        "{}",
        text(&out.stdout)
    );

    let out = host(&[
        "check",
        artifacts::EMPTY,
        "--settings",
        r#"{"reject": true}"#,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("test-empty "),
        "what the policy is comes first: {}",
        text(&out.stdout)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("settings rejected: settings.reject: rejected on purpose"),
        "{stderr}"
    );

    let out = host(&["check", artifacts::PANICKY]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`configure` failed") && stderr.contains("configure bug"),
        "{stderr}"
    );

    let out = host(&["check", artifacts::EMPTY, "--settings", "{not json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

#[test]
fn check_names_the_language_and_its_limits() {
    let out = host(&["check", artifacts::GPU_WEIGHTING]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("  language   Rust (rustc "), "{stdout}");
    assert!(
        stdout.contains("  limits     100 ms deadline, 64 MiB memory unless configured\n"),
        "{stdout}"
    );
}

#[test]
fn run_prints_a_table_per_cycle() {
    let out = run_cycles(&["--policy", artifacts::GPU_WEIGHTING], "3");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(stdout.matches("\ncycle ").count(), 3, "{stdout}");
    for node in ["ml-node-1", "ml-node-2", "ml-node-3"] {
        assert!(stdout.contains(node), "{stdout}");
    }
    assert!(
        stdout.contains("enabled           1 → "),
        "the first cycle moves ratios off their start: {stdout}"
    );
    assert!(
        stdout.contains(" (held back by step-limit)"),
        "a step the guard shortened says so beside the policy's figure: {stdout}"
    );
}

#[test]
fn run_with_a_config_file_uses_its_fleet_and_settings() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fulcrum.toml");
    let body = format!(
        "[fleet]\nnodes = 5\n[[policies]]\npath = {:?}\n[policies.settings]\nmax_ratio = 20\n\
         [[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"mlPool\"]\n",
        artifacts::GPU_WEIGHTING
    );
    std::fs::write(&config, body).unwrap();
    let out = run_cycles(&["--config", config.to_str().unwrap()], "1");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let targets: Vec<u32> = stdout
        .split("ratio 1 → ")
        .skip(1)
        .map(|rest| rest.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(targets.len(), 5, "one per node of the fleet: {stdout}");
    assert!(
        targets.iter().all(|&t| t <= 20),
        "max_ratio holds: {stdout}"
    );

    let out = host(&["snapshot", "--config", config.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        stdout.contains("node ml-node-5 (127.0.1.5) healthy"),
        "{stdout}"
    );
}

#[test]
fn the_example_demo_config_runs() {
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/demo.toml"
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("demo.toml");
    let body = example.replace(
        "\"../target/wasm32-wasip2/plugin/gpu_weighting.wasm\"",
        &format!("{:?}", artifacts::GPU_WEIGHTING),
    );
    let body = body.replace(
        "\"../target/wasm32-wasip2/plugin/queue_scaling.wasm\"",
        &format!("{:?}", artifacts::QUEUE_SCALING),
    );
    assert_ne!(body, example, "the example names the policies it runs");
    // With a state directory, so the audit log can be read back.
    std::fs::write(&config, format!("[engine]\nstate_dir = \"state\"\n{body}")).unwrap();
    let config = config.to_str().unwrap();
    let out = run_cycles(&["--config", config], "2");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("\ncycle ").count(), 2);

    let out = host(&["audit", "--config", config]);
    let audit = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(audit.matches(": completed, inputs ").count(), 2, "{audit}");
    assert!(
        audit.contains(
            "held back policy gpu-weighting on pool mlPool member ml-node-1:80 by step-limit: ratio 1 → "
        ),
        "{audit}"
    );
    assert!(
        audit.contains("applied   mlPool/ml-node-1:80 ratio 1 → 11"),
        "{audit}"
    );
}

#[test]
fn usage_and_config_errors_exit_2_and_name_the_problem() {
    let out = host(&["run", "--cycles", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no policy to run"));

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bad.toml");
    std::fs::write(&config, "[fleet]\nnodes = 0\nsize = 3\n").unwrap();
    let out = host(&["run", "--config", config.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.toml") && stderr.contains("unknown field `size`"),
        "{stderr}"
    );
}

#[test]
fn a_policy_that_cannot_load_exits_1() {
    let out = host(&["run", "--policy", "does-not-exist.wasm", "--cycles", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does-not-exist.wasm: cannot read the policy"));
}

#[test]
fn snapshot_prints_what_policies_receive() {
    let out = host(&["snapshot", "--cycle", "3"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.starts_with("snapshot v3 "), "{stdout}");
    assert!(
        stdout.contains("node ml-node-2 (127.0.1.2) healthy"),
        "{stdout}"
    );
    assert!(
        stdout.contains("member ml-node-1:80 (ml-node-1): ratio 1, enabled"),
        "{stdout}"
    );

    let out = host(&["snapshot", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(json["version"], 1);
    assert_eq!(json["gpus"]["utilization"].as_array().unwrap().len(), 24);
    let offsets = json["strings"]["offsets"].as_array().unwrap();
    let text_len = json["strings"]["text"].as_str().unwrap().len();
    assert_eq!(offsets.last().unwrap().as_u64(), Some(text_len as u64));
}

#[test]
fn plan_prints_the_changes_and_what_the_guard_held_back() {
    let out = host(&["plan", "--policy", artifacts::GPU_WEIGHTING]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for node in ["ml-node-1", "ml-node-2", "ml-node-3"] {
        assert!(
            stdout.contains(&format!("mlPool/{node}:80 ratio 1 → 11  [gpu-weighting] ")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!(
                "held back: policy gpu-weighting on pool mlPool member {node}:80: ratio 1 → "
            )),
            "{stdout}"
        );
    }
    assert!(stdout.contains("limited to a step of 10"), "{stdout}");
    assert!(
        stdout.contains("3 change(s), 0 decision(s) already held"),
        "{stdout}"
    );

    let out = host(&["plan", "--policy", artifacts::GPU_WEIGHTING, "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(plan["changes"].as_array().map(Vec::len), Some(3), "{plan}");
}
