//! The configuration file end to end: a full file, the example files, and
//! errors that name the key and line.

use std::path::Path;
use std::time::Duration;

use super::*;
use crate::guard::Target;
use crate::model::ActionKind;

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
    assert_eq!(
        err.problems,
        [
            format!(
                "bigip.ca_file: cannot read {}: No such file or directory (os error 2)",
                examples.join("bigip-ca.pem").display()
            ),
            "bigip.password: environment variable BIGIP_PASSWORD is not set".to_owned(),
            format!(
                "gce.credentials.key_file: {} is not a file",
                examples.join("fulcrum-sa.json").display()
            ),
        ]
    );
}

#[test]
fn unknown_keys_are_errors_that_name_the_key_and_line() {
    let problems = RunConfig::parse(
        "[[policies]]\npath = \"p.wasm\"\ndeadline = 5\n",
        Path::new("."),
    )
    .unwrap_err();
    assert!(
        problems[0].contains("unknown field `deadline`"),
        "{problems:?}"
    );
    assert!(problems[0].contains("line 3"), "{problems:?}");
}

#[test]
fn every_bad_value_is_reported_with_its_line() {
    let text = "[engine]\naudit_retention_hours = 0\n[fleet]\nnodes = 0\n[[policies]]\npath = \"p.wasm\"\ndeadline_ms = 0\nmemory_mib = 4096\nsha256 = \"abc\"\n";
    let problems = RunConfig::parse(text, Path::new(".")).unwrap_err();
    assert_eq!(
        problems,
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
    let problems = RunConfig::parse(text, Path::new(".")).unwrap_err();
    assert_eq!(
        problems,
        [
            "bigip.url: http://127.0.0.1:8443 must start with https:// (iControl REST is HTTPS only)",
            "bigip.pools: name at least one pool to manage",
            "bigip.transaction_concurrency: 0 is out of range; expected 1..=64",
            "bigip.password: environment variable FULCRUM_TEST_UNSET_PASSWORD is not set",
            "gce.groups[0]: give exactly one of zone or region",
        ]
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
