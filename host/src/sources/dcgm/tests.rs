use std::path::{Path, PathBuf};

use super::*;
use crate::model::Health;

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/dcgm")
}

/// The fixture's path (as the source name) and text.
fn fixture(name: &str) -> (String, String) {
    let path = fixture_dir().join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    (path.display().to_string(), text)
}

fn parse(text: &str) -> DcgmScrape {
    parse_scrape("test.metrics", text).unwrap_or_else(|err| panic!("{err}"))
}

fn gpu<'a>(scrape: &'a DcgmScrape, uuid: &str) -> &'a GpuReading {
    scrape
        .gpus
        .iter()
        .find(|gpu| gpu.uuid.as_deref() == Some(uuid))
        .unwrap_or_else(|| panic!("no GPU {uuid} in {:?}", scrape.gpus))
}

const A100: &str = "GPU-34319582-d595-d1c7-d1d2-179bcfa61660";

#[test]
fn every_recorded_scrape_parses() {
    let mut seen = 0;
    for entry in std::fs::read_dir(fixture_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|name| name == "README.md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let scrape =
            parse_scrape(&path.display().to_string(), &text).unwrap_or_else(|err| panic!("{err}"));
        assert!(!scrape.gpus.is_empty(), "{}", path.display());
        seen += 1;
    }
    assert!(
        seen >= 2,
        "fixtures not found under {}",
        fixture_dir().display()
    );
}

#[test]
fn a100_scrape_reads_the_whole_gpu() {
    let (_, text) = fixture("a100-mig__cloud-native-docs.metrics");
    let scrape = parse(&text);
    assert_eq!(scrape.gpus.len(), 1);
    let gpu = &scrape.gpus[0];
    assert_eq!(gpu.index, Some(0));
    assert_eq!(gpu.uuid.as_deref(), Some(A100));
    assert_eq!(gpu.model, None, "old exporter: no modelName");
    assert_eq!(gpu.mig, None);
    assert_eq!(gpu.utilization, 0.995630);
    assert_eq!(gpu.tensor_activity, 0.929260);
    assert_eq!(gpu.dram_activity, 0.690789);
    assert_eq!(gpu.power_w, 409.692);
    assert_eq!(gpu.memory_free_mib, 35690.0);
    assert_eq!(gpu.memory_used_mib, 4845.0);
    assert!(gpu.memory_reserved_mib.is_nan());
    assert_eq!(gpu.memory_total_mib, 35690.0 + 4845.0);
    assert_eq!(gpu.temperature_c, 61.0);
    assert_eq!(gpu.sm_clock_mhz, 1215.0);
    assert_eq!(gpu.memory_clock_mhz, 1215.0);
    assert!(gpu.power_limit_w.is_nan());
    assert_eq!(gpu.throttle_reasons, None);
    assert_eq!(gpu.last_xid, Some(0));
    assert_eq!(gpu.health(), Health::Healthy);
    assert_eq!(gpu.mig_enabled, Some(true), "it has a MIG instance");
    assert_eq!(scrape.hostnames, ["ub20-a100-k8s"]);
    assert!(scrape.driver_versions.is_empty());
    assert_eq!(scrape.warnings, []);
}

#[test]
fn a100_scrape_reads_the_mig_instance() {
    let (_, text) = fixture("a100-mig__cloud-native-docs.metrics");
    let scrape = parse(&text);
    assert_eq!(scrape.mig_instances.len(), 1);
    let instance = &scrape.mig_instances[0];
    assert_eq!(
        instance.mig,
        Some(MigInstance {
            instance_id: 13,
            profile: Some("1g.5gb".into())
        })
    );
    assert_eq!(instance.index, Some(0));
    assert_eq!(instance.uuid.as_deref(), Some(A100), "the parent's UUID");
    assert_eq!(instance.utilization, 0.995687);
    assert_eq!(instance.tensor_activity, 0.930433);
    assert_eq!(instance.dram_activity, 0.800339);
    assert_eq!(instance.last_xid, Some(0));
    assert!(instance.memory_used_mib.is_nan() && instance.power_w.is_nan());
}

#[test]
fn datadog_scrape_reads_three_gpus_keyed_by_uuid() {
    let (source, text) = fixture("datadog-integrations-core__metrics.txt");
    let scrape = parse_scrape(&source, &text).unwrap();
    let uuids: Vec<_> = scrape.gpus.iter().map(|gpu| gpu.uuid.as_deref()).collect();
    // All three are `gpu="0"`, on different hosts: the UUID keeps them apart.
    assert_eq!(
        uuids,
        [
            Some("GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e"),
            Some("GPU-9ef1b6d0-3643-5dd7-b823-c0ec20dcf2d5"),
            Some("GPU-abc"),
        ]
    );
    assert!(scrape.mig_instances.is_empty());
    assert_eq!(
        scrape.hostnames,
        ["424773df46e0", "551bdf382151", "ip-11111"],
        "read from `Hostname`"
    );
    assert_eq!(
        scrape.driver_versions,
        ["460.106.00", "470.182.03", "550.144.03"]
    );

    let t4 = gpu(&scrape, "GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e");
    assert_eq!(t4.model.as_deref(), Some("Tesla T4"));
    assert_eq!(t4.index, Some(0));
    assert_eq!(t4.sm_clock_mhz, 300.0);
    assert_eq!(t4.memory_clock_mhz, 405.0);
    assert_eq!(t4.temperature_c, 25.0);
    assert_eq!(t4.power_w, 8.969);
    assert_eq!(
        t4.utilization, 0.0,
        "DCGM_FI_DEV_GPU_UTIL 0 %, no profiling metric"
    );
    assert_eq!(t4.memory_free_mib, 15109.0);
    assert_eq!(t4.memory_used_mib, 0.0);
    assert_eq!(t4.memory_total_mib, 15109.0);
    assert_eq!(t4.last_xid, Some(0));

    let t4 = gpu(&scrape, "GPU-9ef1b6d0-3643-5dd7-b823-c0ec20dcf2d5");
    assert_eq!(t4.power_limit_w, 70.0);
    assert_eq!(t4.memory_total_mib, 15109.0, "DCGM_FI_DEV_FB_TOTAL");
    assert_eq!(t4.memory_reserved_mib, 15109.0);
    assert_eq!(t4.throttle_reasons, Some(1));
    assert!(!t4.throttled(), "reason 1 is idle");
    assert!(t4.utilization.is_nan());
    assert_eq!(t4.last_xid, None);
    assert_eq!(t4.health(), Health::Healthy);

    let a10g = gpu(&scrape, "GPU-abc");
    assert_eq!(a10g.model.as_deref(), Some("NVIDIA A10G"));
    assert_eq!(a10g.dram_activity, 0.000003);

    // The unlabelled dummy series of fields read here cannot be attributed.
    let dropped: Vec<_> = scrape
        .warnings
        .iter()
        .map(|warning| (warning.metric.as_str(), &warning.reason))
        .collect();
    assert_eq!(
        dropped,
        [
            ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", &RejectReason::Unattributed),
            (
                "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
                &RejectReason::Unattributed
            ),
        ]
    );
    assert!(scrape.warnings[0].source_name.ends_with("metrics.txt"));
}

#[test]
fn both_hostname_spellings_and_lowercase_uuid_are_read() {
    let scrape = parse(concat!(
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"old-host\"} 40\n",
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",uuid=\"GPU-b\",hostname=\"new-host\"} 41\n",
    ));
    assert_eq!(scrape.hostnames, ["new-host", "old-host"]);
    assert_eq!(gpu(&scrape, "GPU-a").temperature_c, 40.0);
    assert_eq!(gpu(&scrape, "GPU-b").temperature_c, 41.0);
}

#[test]
fn series_without_uuid_are_keyed_by_index() {
    let scrape = parse(concat!(
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\"} 50\n",
        "DCGM_FI_DEV_POWER_USAGE{gpu=\"1\"} 300\n",
        "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\"} 200\n",
    ));
    assert_eq!(scrape.gpus.len(), 2);
    assert_eq!(scrape.gpus[0].index, Some(0));
    assert_eq!(scrape.gpus[1].index, Some(1));
    assert_eq!(scrape.gpus[1].temperature_c, 50.0);
    assert_eq!(scrape.gpus[1].power_w, 300.0);
}

#[test]
fn utilisation_prefers_the_profiling_metric_and_falls_back_to_percent() {
    let scrape = parse(concat!(
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 40\n",
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\"} 0.25\n",
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\"} 40\n",
    ));
    assert_eq!(scrape.gpus[0].utilization, 0.25);
    assert_eq!(scrape.gpus[1].utilization, 0.4);
}

#[test]
fn mig_instances_ignore_gpu_util() {
    let scrape =
        parse("DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",GPU_I_PROFILE=\"1g.10gb\",GPU_I_ID=\"9\"} 50\n");
    assert_eq!(scrape.mig_instances.len(), 1);
    assert!(scrape.mig_instances[0].utilization.is_nan());
    assert!(scrape.gpus.is_empty());
}

#[test]
fn nan_utilisation_is_missing_not_a_warning() {
    let scrape = parse(concat!(
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\"} NaN\n",
        "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 40\n",
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"1\"} NaN\n",
    ));
    assert_eq!(scrape.gpus[0].utilization, 0.4, "falls back to GPU_UTIL");
    assert!(scrape.gpus[1].utilization.is_nan());
    assert_eq!(scrape.warnings, []);
}

#[test]
fn sentinel_values_are_missing() {
    let scrape = parse(concat!(
        "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\"} 9223372036854775794\n",
        "DCGM_FI_DEV_FB_USED{gpu=\"0\"} 2147483632\n",
        "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\"} 140737488355330.000000\n",
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 9223372036854775795.000000\n",
        "DCGM_FI_DEV_SM_CLOCK{gpu=\"0\"} 2147483635\n",
    ));
    let gpu = &scrape.gpus[0];
    assert_eq!(gpu.last_xid, None);
    assert!(gpu.memory_used_mib.is_nan());
    assert!(gpu.power_w.is_nan());
    assert!(gpu.temperature_c.is_nan());
    assert!(gpu.sm_clock_mhz.is_nan());
    assert_eq!(scrape.warnings, []);
}

#[test]
fn out_of_range_values_are_dropped_with_a_warning_naming_them() {
    let scrape = parse_scrape(
        "http://gpu-7:9400/metrics",
        concat!(
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\",UUID=\"GPU-x\",device=\"nvidia0\"} 5.0\n",
            "DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-x\"} -5\n",
            "DCGM_FI_DEV_FB_FREE{gpu=\"0\",UUID=\"GPU-x\"} 1000\n",
            "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-x\"} 10000\n",
            "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-x\"} +Inf\n",
            "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\",UUID=\"GPU-x\"} 31.5\n",
            "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{gpu=\"0\",UUID=\"GPU-x\"} 0.5\n",
        ),
    )
    .unwrap();
    let gpu = &scrape.gpus[0];
    assert!(gpu.utilization.is_nan());
    assert!(gpu.memory_used_mib.is_nan());
    assert!(gpu.memory_total_mib.is_nan(), "no total without used");
    assert_eq!(gpu.memory_free_mib, 1000.0);
    assert!(gpu.temperature_c.is_nan());
    assert!(gpu.power_w.is_nan());
    assert_eq!(gpu.last_xid, None);
    assert_eq!(gpu.tensor_activity, 0.5, "the rest of the scrape is kept");

    let lines: Vec<_> = scrape.warnings.iter().map(|warning| warning.line).collect();
    assert_eq!(lines, [1, 2, 4, 5, 6]);
    assert_eq!(
        scrape.warnings[0].to_string(),
        "http://gpu-7:9400/metrics:1: DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\",UUID=\"GPU-x\"}: \
         value 5 is outside the physical range 0..=1 ratio; dropped"
    );
    assert!(matches!(
        scrape.warnings[1].reason,
        RejectReason::OutOfRange { value: -5.0, .. }
    ));
    assert!(matches!(
        scrape.warnings[4].reason,
        RejectReason::NotWhole { value: 31.5, .. }
    ));
}

#[test]
fn xids_set_health() {
    let scrape = parse(concat!(
        "DCGM_FI_DEV_XID_ERRORS{gpu=\"0\"} 79\n",
        "DCGM_FI_DEV_XID_ERRORS{gpu=\"1\"} 13\n",
        "DCGM_FI_DEV_XID_ERRORS{gpu=\"2\"} 0\n",
    ));
    let health: Vec<_> = scrape.gpus.iter().map(GpuReading::health).collect();
    assert_eq!(
        health,
        [Health::Unhealthy, Health::Degraded, Health::Healthy]
    );
    assert_eq!(scrape.gpus[0].last_xid, Some(79));
}

#[test]
fn repeated_series_and_bad_identity_labels_are_warnings() {
    let scrape = parse(concat!(
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 40\n",
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} 90\n",
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"zero\"} 40\n",
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",GPU_I_ID=\"x\"} 40\n",
        "DCGM_FI_DEV_GPU_TEMP 40\n",
        "DCGM_FI_DEV_FAN_SPEED 40\n",
    ));
    assert_eq!(scrape.gpus[0].temperature_c, 40.0, "first value kept");
    let reasons: Vec<_> = scrape.warnings.iter().map(|w| w.reason.clone()).collect();
    assert_eq!(
        reasons,
        [
            RejectReason::Duplicate,
            RejectReason::BadLabel {
                label: "gpu".into(),
                value: "zero".into()
            },
            RejectReason::BadLabel {
                label: "GPU_I_ID".into(),
                value: "x".into()
            },
            RejectReason::Unattributed,
        ],
        "fields not read (FAN_SPEED) are not warned about"
    );
}

#[test]
fn a_truncated_scrape_is_rejected_at_the_line() {
    let (source, text) = fixture("a100-mig__cloud-native-docs.metrics");
    let cut = text.rfind("Hostname=\"ub20").unwrap() + "Hostname=\"ub20".len();
    let err = parse_scrape(&source, &text[..cut]).unwrap_err();
    match &err {
        DcgmError::Syntax {
            line,
            metric,
            reason,
            ..
        } => {
            assert_eq!(*line, 22);
            assert_eq!(metric.as_deref(), Some("DCGM_FI_PROF_DRAM_ACTIVE"));
            assert!(
                reason.contains("unterminated value of label `Hostname`"),
                "{reason}"
            );
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("{source}:22: DCGM_FI_PROF_DRAM_ACTIVE: ")),
        "{message}"
    );
}

#[test]
fn garbage_is_rejected() {
    for garbage in [
        "<html><body>502 Bad Gateway</body></html>",
        "\u{0}\u{1}\u{2}binary",
        "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\"} hot",
        "DCGM_FI_DEV_GPU_TEMP{gpu=0} 40",
    ] {
        let err = parse_scrape("http://x/metrics", garbage).unwrap_err();
        assert!(
            matches!(err, DcgmError::Syntax { line: 1, .. }),
            "{garbage:?}: {err:?}"
        );
        assert!(err.to_string().starts_with("http://x/metrics:1: "), "{err}");
    }
}

#[test]
fn ten_thousand_labels_exceed_the_limit() {
    let labels: Vec<String> = (0..10_000).map(|i| format!("l{i}=\"v\"")).collect();
    let text = format!(
        "DCGM_FI_DEV_GPU_TEMP{{gpu=\"0\"}} 40\nDCGM_FI_DEV_GPU_TEMP{{{}}} 1\n",
        labels.join(",")
    );
    let err = parse_scrape("s", &text).unwrap_err();
    assert!(
        matches!(
            err,
            DcgmError::Limit {
                line: 2,
                max: MAX_LABELS_PER_SERIES,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "s:2: DCGM_FI_DEV_GPU_TEMP: more than 64 labels on one series; scrape rejected"
    );
}

#[test]
fn long_label_values_and_names_exceed_the_limits() {
    let value = "v".repeat(MAX_LABEL_VALUE_BYTES + 1);
    let err = parse_scrape("s", &format!("m{{gpu=\"{value}\"}} 1")).unwrap_err();
    assert!(
        matches!(
            err,
            DcgmError::Limit {
                max: MAX_LABEL_VALUE_BYTES,
                ..
            }
        ),
        "{err:?}"
    );
    let name = "m".repeat(MAX_NAME_BYTES + 1);
    let err = parse_scrape("s", &format!("{name} 1")).unwrap_err();
    assert!(
        matches!(
            err,
            DcgmError::Limit {
                max: MAX_NAME_BYTES,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn too_many_series_or_bytes_are_rejected() {
    let text = "m 1\n".repeat(MAX_SERIES + 1);
    let err = parse_scrape("s", &text).unwrap_err();
    assert!(
        matches!(err, DcgmError::Limit { line, max: MAX_SERIES, .. } if line == MAX_SERIES + 1),
        "{err:?}"
    );

    let text = "#".repeat(MAX_SCRAPE_BYTES + 1);
    let err = parse_scrape("s", &text).unwrap_err();
    assert!(matches!(err, DcgmError::TooLarge { .. }), "{err:?}");
}

#[test]
fn an_empty_scrape_has_no_gpus() {
    let scrape = parse("# HELP nothing\n\n");
    assert!(scrape.gpus.is_empty() && scrape.warnings.is_empty());
}

proptest::proptest! {
    /// Whatever an exporter (or something posing as one) sends, the parser
    /// answers with a scrape or an error that names the source; it never
    /// panics.
    #[test]
    fn arbitrary_bytes_parse_or_fail_naming_the_source(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096),
    ) {
        let text = String::from_utf8_lossy(&bytes);
        if let Err(error) = parse_scrape("http://127.0.1.7:9400/metrics", &text) {
            proptest::prop_assert!(
                error.to_string().starts_with("http://127.0.1.7:9400/metrics"),
                "{error}"
            );
        }
    }

    /// Lines shaped like the exposition format, with arbitrary pieces.
    #[test]
    fn exposition_shaped_lines_parse_or_fail_naming_the_source(
        lines in proptest::collection::vec(
            (
                proptest::sample::select(vec!["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_XID_ERRORS", "# TYPE", "# HELP", "x"]),
                "[a-zA-Z_=\",{} .0-9-]{0,40}",
                "[-+0-9.eEInfNa]{0,12}",
            ),
            0..32,
        ),
    ) {
        let text: String = lines
            .iter()
            .map(|(name, labels, value)| format!("{name}{labels} {value}\n"))
            .collect();
        if let Err(error) = parse_scrape("node-3 dcgm", &text) {
            proptest::prop_assert!(error.to_string().starts_with("node-3 dcgm"), "{error}");
        }
    }
}
