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
