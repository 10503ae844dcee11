//! The configuration file end to end: a full file, the example files, and
//! errors that name the key and line; each table's own cases are in
//! `tests/`.

mod grant;
mod guard;
mod ha;
mod mig;
mod telemetry;

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::guard::Target;
use crate::model::ActionKind;

/// `text`'s problems as shown.
fn problems(text: &str) -> Vec<String> {
    RunConfig::parse(text, Path::new("."))
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_full_file_parses_into_typed_config() {
    let text = r#"
        [engine]
        interval_ms = 2000
        audit_retention_hours = 48
        metrics_listen = "127.0.0.1:9464"
        [fleet]
        nodes = 5
        gpus_per_node = 4
        [[signals]]
        name = "queue-depth"
        value = 120
        [guard]
        min_enabled_members = 2
        [[policies]]
        path = "p.wasm"
        priority = 5
        interval_ms = 10000
        deadline_ms = 250
        memory_mib = 32
        [policies.settings]
        max_ratio = 80
        [policies.sandbox]
        clocks = true
        [[policies.grant]]
        actions = ["member-ratio"]
        pools = ["mlPool"]
    "#;
    let config = RunConfig::parse(text, Path::new("/etc/fulcrum")).unwrap();
    assert!(config.is_embedded());
    assert_eq!(config.engine.interval, Duration::from_secs(2));
    assert_eq!(
        config.engine.audit_retention,
        Duration::from_secs(48 * 3600)
    );
    assert_eq!(
        config.engine.metrics_listen,
        Some("127.0.0.1:9464".parse().unwrap())
    );
    assert_eq!(config.fleet.nodes, 5);
    assert_eq!(config.signals[0].value, 120.0);
    assert_eq!(config.guard.min_enabled_members, 2);
    let policy = &config.policies[0];
    assert_eq!(policy.spec.path, Path::new("/etc/fulcrum/p.wasm"));
    assert_eq!(policy.priority, 5);
    assert_eq!(policy.interval, Some(Duration::from_secs(10)));
    assert_eq!(policy.spec.limits.deadline, Duration::from_millis(250));
    assert_eq!(policy.spec.limits.memory_bytes, 32 << 20);
    assert_eq!(policy.spec.settings["max_ratio"], 80);
    assert!(policy.spec.capabilities.clocks && !policy.spec.capabilities.random);
    let pool = Target::Member {
        pool: "mlPool".into(),
        member: "ml-node-1:80".into(),
    };
    assert!(policy.grants.allows(ActionKind::MemberRatio, &pool));
    assert!(!policy.grants.allows(ActionKind::MemberState, &pool));
}

#[test]
fn the_example_configs_are_valid() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let demo = RunConfig::load(&examples.join("demo.toml")).unwrap_or_else(|err| panic!("{err}"));
    assert!(demo.is_embedded());
    assert!(
        demo.policies[0]
            .spec
            .path
            .ends_with("target/wasm32-wasip2/plugin/gpu_weighting.wasm")
    );
}

#[test]
fn the_cluster_example_is_valid_but_for_its_secrets() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let err = RunConfig::load(&examples.join("cluster.toml")).unwrap_err();
    let ConfigError::Invalid { problems, .. } = err else {
        panic!("{err}")
    };
    let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            format!(
                "bigip.ca_file (line 24): cannot read {}: No such file or directory (os error 2)",
                examples.join("bigip-ca.pem").display()
            ),
            "bigip.password (line 22): environment variable BIGIP_PASSWORD is not set".to_owned(),
            format!(
                "gce.credentials.key_file (line 55): {} is not a file",
                examples.join("fulcrum-sa.json").display()
            ),
        ]
    );
}

#[test]
fn unknown_keys_are_errors_that_name_the_key_and_line() {
    let problems = problems("[[policies]]\npath = \"p.wasm\"\ndeadline = 5\n");
    assert!(
        problems[0].contains("unknown field `deadline`"),
        "{problems:?}"
    );
    assert!(problems[0].contains("line 3"), "{problems:?}");
}

#[test]
fn every_bad_value_is_reported_with_its_line() {
    let text = "[engine]\naudit_retention_hours = 0\n[fleet]\nnodes = 0\n[[policies]]\npath = \"p.wasm\"\ndeadline_ms = 0\nmemory_mib = 4096\nsha256 = \"abc\"\n";
    assert_eq!(
        problems(text),
        [
            "engine.audit_retention_hours (line 2): 0 is out of range; expected 1..=876000",
            "fleet.nodes (line 4): 0 is out of range; expected 1..=100000",
            "policies[0].deadline_ms (line 7): 0 is out of range; expected 1..=60000",
            "policies[0].memory_mib (line 8): 4096 is out of range; expected 1..=1024",
            "policies[0].sha256 (line 9): expected 64 hexadecimal digits",
        ]
    );
}

#[test]
fn backends_need_https_credentials_and_targets() {
    let text = r#"
        [bigip]
        url = "http://127.0.0.1:8443"
        username = "admin"
        password = { env = "FULCRUM_TEST_UNSET_PASSWORD" }
        pools = []
        transaction_concurrency = 0
        [gce]
        project = "p"
        credentials = { kind = "anonymous" }
        [[gce.groups]]
        name = "g"
        zone = "us-central1-a"
        region = "us-central1"
    "#;
    assert_eq!(
        problems(text),
        [
            "bigip.url (line 3): http://127.0.0.1:8443 must start with https:// (iControl REST is HTTPS only)",
            "bigip.pools (line 6): name at least one pool to manage",
            "bigip.transaction_concurrency (line 7): 0 is out of range; expected 1..=64",
            "bigip.password (line 5): environment variable FULCRUM_TEST_UNSET_PASSWORD is not set",
            "gce.groups[0] (line 11): give exactly one of zone or region",
        ]
    );
}

#[test]
fn every_table_s_problems_are_listed_together_with_key_and_line() {
    let text = r#"
[bigip]
url = "http://bigip.example.net"
username = "fulcrum"
password = { env = "FULCRUM_TEST_UNSET_PASSWORD" }
pools = ["mlPool"]

[[telemetry]]
kind = "dcgm"

[[telemetry]]
kind = "prometheus"
url = "http://prometheus:9090"
timeout_ms = 0

[guard]
min_enabled_share = 1.5

[mig]
idle_threshold = 2.0
executor = { kind = "embedded" }

[[signals]]
name = "queue-depth"
value = 3

[[policies]]
path = "p.wasm"
memory_mib = 0
[[policies.grant]]
actions = ["drain"]
"#;
    assert_eq!(
        problems(text),
        [
            "bigip.url (line 3): http://bigip.example.net must start with https:// \
             (iControl REST is HTTPS only)",
            "bigip.password (line 5): environment variable FULCRUM_TEST_UNSET_PASSWORD is not set",
            "telemetry[1].timeout_ms (line 14): 0 is out of range; expected 1..=600000",
            "guard.min_enabled_share (line 17): 1.5 is outside 0..=1",
            "mig.idle_threshold (line 20): 2 is out of range; expected 0..=1",
            "policies[0].memory_mib (line 29): 0 is out of range; expected 1..=1024",
            "policies[0].grant[0].actions (line 31): unknown action kind \"drain\"; expected one \
             of: member-ratio, member-state, capacity-scaler, group-size, mig-layout",
        ]
    );
}

#[test]
fn an_unknown_key_in_any_table_is_refused_by_name_and_line() {
    let tables = [
        "[engine]",
        "[fleet]",
        "[bigip]\nurl = \"https://b\"\nusername = \"u\"\npassword = { env = \"P\" }\npools = [\"p\"]",
        "[gce]\nproject = \"p\"\ncredentials = { kind = \"anonymous\" }\ngroups = []",
        "[gce]\nproject = \"p\"\ncredentials = { kind = \"anonymous\" }\n[[gce.groups]]\nname = \"g\"",
        "[[telemetry]]\nkind = \"dcgm\"",
        "[[signals]]\nname = \"s\"\nvalue = 1",
        "[guard]",
        "[mig]\nexecutor = { kind = \"embedded\" }",
        "[[policies]]\npath = \"p.wasm\"",
        "[[policies]]\npath = \"p.wasm\"\n[policies.sandbox]",
        "[[policies]]\npath = \"p.wasm\"\n[[policies.grant]]\nactions = []",
    ];
    for table in tables {
        let text = format!("{table}\nbogus = 1\n");
        let line = text.lines().count();
        let problems = problems(&text);
        assert_eq!(problems.len(), 1, "{text}: {problems:?}");
        assert!(
            problems[0].contains("unknown field `bogus`")
                && problems[0].contains(&format!("line {line}")),
            "{text}: {problems:?}"
        );
    }
}

#[test]
fn a_file_that_cannot_be_read_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.toml");
    let err = RunConfig::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::Unreadable { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
    assert!(
        err.to_string()
            .starts_with(&format!("{}: cannot read: ", path.display())),
        "{err}"
    );
}

#[test]
fn several_problems_are_shown_one_a_line_under_the_file() {
    let err = ConfigError::Invalid {
        file: "f.toml".into(),
        problems: vec![
            Problem {
                key: "guard.min_group_size".into(),
                line: Some(3),
                message: "9 is larger than max_group_size 3".into(),
            },
            Problem {
                key: "gce.groups[0]".into(),
                line: None,
                message: "give exactly one of zone or region".into(),
            },
        ],
    };
    assert_eq!(
        err.to_string(),
        "f.toml: 2 problems\n  \
         f.toml: guard.min_group_size (line 3): 9 is larger than max_group_size 3\n  \
         f.toml: gce.groups[0]: give exactly one of zone or region"
    );
}

#[test]
fn secrets_come_from_files_and_never_show() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
    let text = r#"
        [bigip]
        url = "https://127.0.0.1:8443"
        username = "admin"
        password = { file = "pw" }
        insecure_skip_verify = true
        pools = ["mlPool"]
    "#;
    let config = RunConfig::parse(text, dir.path()).unwrap();
    let bigip = config.bigip.unwrap();
    assert_eq!(bigip.password.expose(), "s3cret");
    assert!(!format!("{bigip:?}").contains("s3cret"));
    assert_eq!(bigip.tls, fulcrum_bigip::TlsOptions::InsecureSkipVerify);
    assert_eq!(
        bigip.transaction_concurrency, 1,
        "one command at a time by default"
    );
}

proptest::proptest! {
    /// Whatever the file holds, loading it gives a configuration or an
    /// error that names the file; it never panics.
    #[test]
    fn arbitrary_bytes_load_or_fail_naming_the_file(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cluster.toml");
        std::fs::write(&path, &bytes).unwrap();
        if let Err(error) = RunConfig::load(&path) {
            proptest::prop_assert!(error.to_string().starts_with(&path.display().to_string()), "{error}");
        }
    }

    /// Tables and keys the host knows, with values of any type.
    #[test]
    fn known_keys_with_arbitrary_values_load_or_fail_naming_the_file(
        entries in proptest::collection::vec(
            (
                proptest::sample::select(vec![
                    "[engine]", "[fleet]", "[guard]", "[bigip]", "[gce]", "[mig]",
                    "[[policies]]", "[[telemetry]]", "[[signals]]",
                ]),
                proptest::sample::select(vec![
                    "interval_ms", "nodes", "path", "url", "deadline_ms", "memory_mib",
                    "state_quota_kib", "kind", "min_enabled_members", "member_ratio_step",
                    "name", "value", "project", "zone", "state_dir", "quarantine_after",
                ]),
                proptest::sample::select(vec![
                    "0", "-1", "18446744073709551616", "1.5", "\"x\"", "\"\"", "true",
                    "[]", "{}", "\"127.0.0.1:1\"", "1e309", "\"\\u001b[2J\"",
                ]),
            ),
            0..12,
        ),
    ) {
        let text: String = entries
            .iter()
            .map(|(table, key, value)| format!("{table}\n{key} = {value}\n"))
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cluster.toml");
        std::fs::write(&path, text).unwrap();
        if let Err(error) = RunConfig::load(&path) {
            proptest::prop_assert!(error.to_string().starts_with(&path.display().to_string()), "{error}");
        }
    }
}
