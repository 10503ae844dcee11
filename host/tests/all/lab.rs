//! `host test` as a policy author runs it: the example policies' fixtures
//! pass, a fixture broken on purpose fails with a readable diff and exit 1,
//! JUnit output counts what ran, and a malformed fixture names its line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fulcrum_plugin_artifacts as artifacts;
use quick_xml::events::Event;

fn host_test(args: &[&str]) -> Output {
    let _alone = crate::common::alone();
    Command::new(env!("CARGO_BIN_EXE_host"))
        .arg("test")
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("host runs")
}

fn fixtures_of(plugin: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins")
        .join(plugin)
        .join("tests")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_example_policy_passes_its_fixtures() {
    for (policy, plugin) in [
        (artifacts::GPU_WEIGHTING, "gpu-weighting"),
        (artifacts::QUEUE_SCALING, "queue-scaling"),
        (artifacts::MIG_RESIZE, "mig-resize"),
    ] {
        let dir = fixtures_of(plugin);
        let cases = std::fs::read_dir(&dir).unwrap().count();
        assert!(cases >= 2, "{plugin} has fixtures");
        let out = host_test(&[policy, dir.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{plugin}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains(&format!("{plugin}: {cases} passed, 0 failed")),
            "{stdout}"
        );
    }
}

/// The XID fixture with the wrong member expected to be disabled.
fn broken_fixture(dir: &Path) -> PathBuf {
    let good =
        std::fs::read_to_string(fixtures_of("gpu-weighting").join("xid-disables-member.toml"))
            .unwrap();
    let broken = good.replace(
        r#"actions = ["mlPool/127.0.1.1:8000 state disabled"]"#,
        r#"actions = ["mlPool/127.0.1.2:8000 state disabled"]"#,
    );
    assert_ne!(good, broken);
    let path = dir.join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    path
}

#[test]
fn a_broken_fixture_fails_with_a_diff_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let broken = broken_fixture(dir.path());
    let good = fixtures_of("gpu-weighting").join("hot-node-gets-less.toml");
    let junit = dir.path().join("junit.xml");
    let out = host_test(&[
        artifacts::GPU_WEIGHTING,
        good.to_str().unwrap(),
        broken.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED a node with a fatal XID"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  - mlPool/127.0.1.2:8000 state disabled"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  + mlPool/127.0.1.1:8000 state disabled"),
        "{stdout}"
    );
    assert!(
        stdout.contains("gpu-weighting: 1 passed, 1 failed"),
        "{stdout}"
    );

    let (cases, failures, suite_counts) = read_junit(&junit);
    assert_eq!(cases, 2);
    assert_eq!(failures, 1);
    assert_eq!(suite_counts, ("2".to_owned(), "1".to_owned()));
}

/// Test cases, `<failure>` elements, and the suite's (tests, failures).
fn read_junit(path: &Path) -> (usize, usize, (String, String)) {
    let xml = std::fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut suite) = (0, 0, None);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => match e.name().into_inner() {
                "testcase" => cases += 1,
                "failure" => failures += 1,
                "testsuite" => {
                    let attr = |name: &str| {
                        let value = e.try_get_attribute(name).unwrap().unwrap();
                        value.value.into_owned()
                    };
                    suite = Some((attr("tests"), attr("failures")));
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    (cases, failures, suite.expect("a testsuite element"))
}

#[test]
fn a_malformed_fixture_exits_2_naming_the_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.toml");
    std::fs::write(
        &path,
        "[snapshot]\n[[snapshot.pools]]\nname = \"p\"\nmembers = [{ node = \"nowhere\" }]\n[expect]\nfails = \"exploded\"\n",
    )
    .unwrap();
    let out = host_test(&[artifacts::GPU_WEIGHTING, path.to_str().unwrap()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("snapshot.pools[0].members[0].node (line 4): no node called \"nowhere\""),
        "{stderr}"
    );
    assert!(stderr.contains("expect.fails (line 6)"), "{stderr}");
    assert!(stderr.contains("typo.toml"), "{stderr}");
}

/// A config running gpu-weighting on the embedded fleet, recording into
/// `dir/state`.
fn recording_config(dir: &Path) -> PathBuf {
    let config = dir.join("host.toml");
    std::fs::write(
        &config,
        format!(
            "[engine]\nstate_dir = \"state\"\n[[policies]]\npath = {:?}\n[[policies.grant]]\nactions = [\"member-ratio\", \"member-state\"]\npools = [\"mlPool\"]\n",
            artifacts::GPU_WEIGHTING
        ),
    )
    .unwrap();
    config
}

/// A state directory holding `cycles` cycles of gpu-weighting on the
/// embedded fleet.
fn recorded_run(dir: &Path, cycles: &str) -> PathBuf {
    let config = recording_config(dir);
    let _alone = crate::common::alone();
    let out = Command::new(env!("CARGO_BIN_EXE_host"))
        .args(["run", "--config", config.to_str().unwrap()])
        .args(["--cycles", cycles, "--interval", "0s", "--no-cache"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir.join("state")
}

fn replay_json(args: &[&str]) -> serde_json::Value {
    let _alone = crate::common::alone();
    let out = Command::new(env!("CARGO_BIN_EXE_host"))
        .arg("replay")
        .args(args)
        .args(["--json", "--no-cache"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The members a list of changes names, as `pool/member`.
fn members(changes: &serde_json::Value) -> Vec<String> {
    let mut names: Vec<String> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}/{}",
                c["pool"].as_str().unwrap(),
                c["member"].as_str().unwrap()
            )
        })
        .collect();
    names.sort();
    names
}

#[test]
fn replaying_the_live_policy_agrees_on_every_recorded_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let state = recorded_run(dir.path(), "5");
    let replay = replay_json(&[
        "--policy",
        artifacts::GPU_WEIGHTING,
        "--state-dir",
        state.to_str().unwrap(),
    ]);
    let cycles = replay["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), 5, "{replay:#}");
    assert_eq!(replay["against"], "gpu-weighting");
    let mut same = 0;
    for cycle in cycles {
        assert_eq!(cycle["only_candidate"], serde_json::json!([]), "{cycle:#}");
        assert_eq!(cycle["only_live"], serde_json::json!([]), "{cycle:#}");
        same += cycle["same"].as_array().unwrap().len();
    }
    assert!(same > 0, "the live policy changed something: {replay:#}");
}

#[test]
fn replaying_another_policy_names_exactly_the_members_where_they_differ() {
    let dir = tempfile::tempdir().unwrap();
    let state = recorded_run(dir.path(), "4");
    // What the live policy applied, cycle by cycle, from the audit log.
    let audit: Vec<serde_json::Value> = {
        let _alone = crate::common::alone();
        let out = Command::new(env!("CARGO_BIN_EXE_host"))
            .args(["audit", "--json", "--state-dir", state.to_str().unwrap()])
            .output()
            .unwrap();
        text(&out.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    };
    // A candidate that proposes nothing differs exactly where the live one
    // changed something.
    let replay = replay_json(&[
        "--policy",
        artifacts::EMPTY,
        "--state-dir",
        state.to_str().unwrap(),
        "--against",
        "gpu-weighting",
    ]);
    let cycles = replay["cycles"].as_array().unwrap();
    assert_eq!(cycles.len(), audit.len());
    for (cycle, record) in cycles.iter().zip(&audit) {
        assert_eq!(cycle["cycle"], record["cycle"]);
        let applied: Vec<serde_json::Value> = record["applied"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["change"]["change"].clone())
            .collect();
        assert_eq!(
            members(&cycle["only_live"]),
            members(&serde_json::Value::Array(applied))
        );
        assert_eq!(cycle["only_candidate"], serde_json::json!([]));
        assert_eq!(cycle["same"], serde_json::json!([]));
    }
}

#[test]
fn run_with_a_shadow_shows_it_beside_the_live_policy() {
    let _alone = crate::common::alone();
    let out = Command::new(env!("CARGO_BIN_EXE_host"))
        .args(["run", "--policy", artifacts::GPU_WEIGHTING])
        .args(["--shadow", artifacts::EMPTY])
        .args(["--cycles", "2", "--interval", "0s", "--no-cache"])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("test-empty (shadow) "), "{stdout}");
    // The empty policy would change nothing: every applied change is only live.
    assert!(
        stdout
            .contains("shadow test-empty: 0 same as applied, 0 only the shadow's, 3 only applied"),
        "{stdout}"
    );
}

#[test]
fn replay_reads_the_cycles_of_a_host_that_is_running() {
    let dir = tempfile::tempdir().unwrap();
    let config = recording_config(dir.path());
    let state = dir.path().join("state");
    let _alone = crate::common::alone();
    let _host =
        crate::common::Running::back_to_back(config.to_str().unwrap(), std::process::Stdio::null());
    let store = state.join("fulcrum.redb");
    let mut replay = serde_json::Value::Null;
    // Up to 30 s for the host to start and record twelve cycles: past the
    // demo's XID at cycle 9, whose GPU reports no readings (null in JSON).
    for _ in 0..120 {
        std::thread::sleep(std::time::Duration::from_millis(250));
        if !store.exists() {
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_host"))
            .args(["replay", "--policy", artifacts::GPU_WEIGHTING, "--json"])
            .args(["--state-dir", state.to_str().unwrap(), "--no-cache"])
            .output()
            .unwrap();
        // Before its first record the store holds no policy to compare with.
        if !out.status.success() {
            continue;
        }
        replay = serde_json::from_slice(&out.stdout).unwrap();
        if replay["cycles"].as_array().is_some_and(|c| c.len() >= 12) {
            break;
        }
    }
    let cycles = replay["cycles"].as_array().expect("a replay");
    assert!(cycles.len() >= 12, "{replay:#}");
    assert!(cycles.iter().all(|c| c["failed"].is_null()), "{replay:#}");
}
