//! `[[telemetry]]`: each kind with its defaults, unknown keys and kinds, and
//! checks that name the table, key and line.

use std::path::Path;
use std::time::Duration;

use super::problems;
use crate::config::RunConfig;
use crate::sources::{NvidiaSmiFormat, TelemetryConfig};

fn sources(text: &str) -> Vec<TelemetryConfig> {
    RunConfig::parse(text, Path::new("."))
        .unwrap_or_else(|problems| panic!("{problems:?}"))
        .telemetry
}

#[test]
fn every_kind_reads_with_defaults() {
    let sources = sources(
        r#"
        [[telemetry]]
        kind = "dcgm"
        [[telemetry]]
        kind = "prometheus"
        url = "http://127.0.0.1:9090"
        queries.utilization = "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[1m])"
        [[telemetry]]
        kind = "nvidia-smi"
        node = "gpu-1"
        join = "hostname"
        [[telemetry]]
        kind = "nvidia-smi"
        format = "table"
        file = "/var/log/gpu/{name}.txt"
        "#,
    );
    let TelemetryConfig::Dcgm(dcgm) = &sources[0] else {
        panic!("{sources:?}")
    };
    assert_eq!(dcgm.url, None);
    assert_eq!(
        (dcgm.timeout, dcgm.stale_after),
        (Duration::from_secs(2), Duration::from_secs(90))
    );
    let TelemetryConfig::Prometheus(prometheus) = &sources[1] else {
        panic!("{sources:?}")
    };
    assert_eq!(prometheus.address_label, "instance");
    assert_eq!(prometheus.queries.gpu_util, "DCGM_FI_DEV_GPU_UTIL");
    assert_eq!(
        prometheus.queries.by_field()[0],
        (
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
            "avg_over_time(DCGM_FI_PROF_GR_ENGINE_ACTIVE[1m])"
        )
    );
    let TelemetryConfig::NvidiaSmi(csv) = &sources[2] else {
        panic!("{sources:?}")
    };
    assert_eq!(csv.format, NvidiaSmiFormat::Csv);
    let TelemetryConfig::NvidiaSmi(table) = &sources[3] else {
        panic!("{sources:?}")
    };
    assert_eq!(table.format, NvidiaSmiFormat::Table);
}

#[test]
fn unknown_keys_and_kinds_are_rejected() {
    let error = &problems("[[telemetry]]\nkind = \"dcgm\"\ntimeout = 5\n")[0];
    assert!(error.contains("unknown field `timeout`"), "{error}");
    let error = &problems("[[telemetry]]\nkind = \"snmp\"\n")[0];
    assert!(error.contains("unknown variant `snmp`"), "{error}");
    let error = &problems("[[telemetry]]\nkind = \"nvidia-smi\"\nformat = \"xml\"\n")[0];
    assert!(error.contains("unknown variant `xml`"), "{error}");
    let error = &problems(
        "[[telemetry]]\nkind = \"prometheus\"\nurl = \"http://p\"\nqueries.util = \"x\"\n",
    )[0];
    assert!(error.contains("unknown field `util`"), "{error}");
}

#[test]
fn a_key_of_another_kind_is_refused() {
    assert_eq!(
        problems("[[telemetry]]\nkind = \"dcgm\"\nformat = \"table\"\nnode = \"n\"\n"),
        [
            "telemetry[0].format (line 3): not a key of kind \"dcgm\"",
            "telemetry[0].node (line 4): not a key of kind \"dcgm\"",
        ]
    );
    assert_eq!(
        problems("[[telemetry]]\nkind = \"prometheus\"\n"),
        ["telemetry[0].url (line 1): required for kind \"prometheus\""]
    );
}

#[test]
fn checks_name_the_table_key_and_line() {
    let problems = problems(
        r#"[[telemetry]]
kind = "dcgm"
url = "http://{adress}:9400/metrics"
urls = ["ftp://x"]
timeout_ms = 0
[[telemetry]]
kind = "nvidia-smi"
command = ["nvidia-smi", "--query-gpu=uuid", "--format=csv"]
[[telemetry]]
kind = "nvidia-smi"
"#,
    );
    assert!(
        problems[0].starts_with("telemetry[0].timeout_ms (line 5): 0 is out of range"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with(
            "telemetry[0].url (line 3): `http://{adress}:9400/metrics` has an unknown placeholder"
        ),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("telemetry[0].urls[0] (line 4): `ftp://x`: scheme `ftp`")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("telemetry[1].command (line 8): runs once per node")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("telemetry[2].node (line 9): required")),
        "{problems:?}"
    );
}

#[test]
fn bad_configuration_is_reported_whole() {
    let problems = problems(
        "[[telemetry]]\nkind = \"dcgm\"\nurl = \"http://{ip}/metrics\"\n\
         [[telemetry]]\nkind = \"dcgm\"\nurls = [\"not a url\"]\n",
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].starts_with("telemetry[0].url (line 3):"));
    assert!(problems[1].starts_with("telemetry[1].urls[0] (line 6):"));
}
