use super::super::fixtures::{fixture, section};
use super::super::{MAX_OUTPUT_BYTES, parse_list};
use super::*;

const H100_UUID: &str = "GPU-00000000-0000-0000-0000-000000000000";

fn table(name: &str) -> Table {
    let parsed = parse_table(name, &fixture(name)).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(parsed.warnings, [], "{name}");
    assert_eq!(
        parsed.driver_version.as_deref(),
        Some("590.48.01"),
        "{name}"
    );
    assert_eq!(parsed.cuda_version.as_deref(), Some("13.1"), "{name}");
    assert_eq!(parsed.gpus.len(), 1, "{name}");
    parsed
}

/// A MIG device as (GI, CI, MIG Dev, memory used, memory total, SM, BAR1 used, BAR1 total).
type MigRow = (u32, u32, u32, f64, f64, Option<u32>, f64, f64);

fn mig_rows(table: &Table) -> Vec<MigRow> {
    table
        .mig_devices
        .iter()
        .map(|device| {
            let reading = &device.reading;
            assert_eq!(reading.index, Some(0));
            assert!(
                reading.utilization.is_nan(),
                "the table has no MIG utilisation"
            );
            assert_eq!(device.uncorrected_ecc_errors, Some(0));
            (
                reading.mig.as_ref().expect("a MIG reading").instance_id,
                device.compute_instance_id,
                device.device_index,
                reading.memory_used_mib,
                reading.memory_total_mib,
                device.sm_count,
                device.bar1_used_mib,
                device.bar1_total_mib,
            )
        })
        .collect()
}

/// A process as (GPU, GI, CI, PID, type, name, memory).
type ProcessRow<'t> = (u32, Option<u32>, Option<u32>, u32, &'t str, &'t str, f64);

fn process_rows(table: &Table) -> Vec<ProcessRow<'_>> {
    table
        .processes
        .iter()
        .map(|process| {
            (
                process.gpu_index,
                process.gpu_instance_id,
                process.compute_instance_id,
                process.pid,
                process.kind.as_str(),
                process.name.as_str(),
                process.memory_used_mib,
            )
        })
        .collect()
}

#[test]
fn h100_idle_table() {
    let parsed = table("h100__table__idle.txt");
    let gpu = &parsed.gpus[0];
    let reading = &gpu.reading;
    assert_eq!(reading.index, Some(0));
    assert_eq!(reading.uuid, None, "the table names no UUID");
    assert_eq!(reading.model.as_deref(), Some("NVIDIA H100 80GB HBM3"));
    assert_eq!(gpu.persistence_mode, Some(true));
    assert_eq!(gpu.bus_id, "00000000:00:09.0");
    assert_eq!(gpu.display_active, Some(false));
    assert_eq!(gpu.uncorrected_ecc_errors, Some(0));
    assert!(gpu.fan_percent.is_nan(), "Fan N/A");
    assert_eq!(reading.temperature_c, 41.0);
    assert_eq!(gpu.perf_state, Some(0));
    assert_eq!(reading.power_w, 69.0);
    assert_eq!(reading.power_limit_w, 700.0);
    assert_eq!(reading.memory_used_mib, 0.0);
    assert_eq!(reading.memory_total_mib, 81559.0);
    assert_eq!(reading.utilization, 0.0);
    assert_eq!(gpu.compute_mode.as_deref(), Some("Default"));
    assert_eq!(reading.mig_enabled, Some(false));
    assert_eq!(reading.mig, None);
    assert!(parsed.mig_devices.is_empty());
    assert!(parsed.processes.is_empty(), "No running processes found");
}

#[test]
fn h100_load_table() {
    let parsed = table("h100__table__load.txt");
    let reading = &parsed.gpus[0].reading;
    assert_eq!(reading.temperature_c, 59.0);
    assert_eq!(reading.power_w, 629.0);
    assert_eq!(reading.power_limit_w, 700.0);
    assert_eq!(reading.memory_used_mib, 19818.0);
    assert_eq!(reading.memory_total_mib, 81559.0);
    assert_eq!(reading.utilization, 1.0);
    assert_eq!(reading.mig_enabled, Some(false));
    assert_eq!(
        process_rows(&parsed),
        [
            (0, None, None, 11327, "C", "/root/tools/memhog", 2566.0),
            (0, None, None, 11328, "C", "/root/tools/memhog", 1542.0),
            (0, None, None, 11345, "C", "./gpu_burn", 15690.0),
        ]
    );
}

#[test]
fn h100_mig_idle_table() {
    let mut parsed = table("h100-mig__table__idle.txt");
    let gpu = &parsed.gpus[0];
    let reading = &gpu.reading;
    assert_eq!(reading.model.as_deref(), Some("NVIDIA H100 80GB HBM3"));
    assert_eq!(
        gpu.uncorrected_ecc_errors, None,
        "the cell shows the ECC mode, On"
    );
    assert!(reading.utilization.is_nan(), "GPU-Util N/A under MIG");
    assert_eq!(reading.mig_enabled, Some(true));
    assert_eq!(reading.temperature_c, 42.0);
    assert_eq!(reading.power_w, 98.0);
    assert_eq!(reading.memory_used_mib, 59.0);
    assert_eq!(reading.memory_total_mib, 81559.0);
    assert_eq!(
        mig_rows(&parsed),
        [
            (2, 0, 0, 26.0, 40448.0, Some(60), 0.0, 24739.0),
            (3, 0, 1, 17.0, 20096.0, Some(32), 0.0, 12369.0),
            (9, 0, 2, 9.0, 9984.0, Some(16), 0.0, 6184.0),
            (10, 0, 3, 9.0, 9984.0, Some(16), 0.0, 6184.0),
        ]
    );
    assert!(parsed.processes.is_empty());

    let listed = parse_list("h100-mig__list.txt", &fixture("h100-mig__list.txt")).unwrap();
    parsed.add_listing(&listed);
    assert_eq!(parsed.gpus[0].reading.uuid.as_deref(), Some(H100_UUID));
    let instances: Vec<_> = parsed
        .mig_devices
        .iter()
        .map(|device| {
            assert_eq!(device.reading.uuid.as_deref(), Some(H100_UUID));
            device.reading.mig.clone().expect("a MIG reading")
        })
        .collect();
    let instance = |instance_id, profile: &str| MigInstance {
        instance_id,
        profile: Some(profile.into()),
    };
    assert_eq!(
        instances,
        [
            instance(2, "3g.40gb"),
            instance(3, "2g.20gb"),
            instance(9, "1g.10gb"),
            instance(10, "1g.10gb"),
        ]
    );
}

#[test]
fn h100_mig_load_table() {
    let parsed = table("h100-mig__table__load.txt");
    let reading = &parsed.gpus[0].reading;
    assert!(reading.utilization.is_nan());
    assert_eq!(reading.temperature_c, 52.0);
    assert_eq!(reading.power_w, 432.0);
    assert_eq!(reading.memory_used_mib, 11125.0);
    assert_eq!(
        mig_rows(&parsed),
        [
            (2, 0, 0, 11091.0, 40448.0, Some(60), 0.0, 24739.0),
            (3, 0, 1, 17.0, 20096.0, Some(32), 0.0, 12369.0),
            (9, 0, 2, 9.0, 9984.0, Some(16), 0.0, 6184.0),
            (10, 0, 3, 9.0, 9984.0, Some(16), 0.0, 6184.0),
        ]
    );
    assert_eq!(
        process_rows(&parsed),
        [
            (
                0,
                Some(2),
                Some(0),
                21180,
                "C",
                "/root/tools/memhog",
                2296.0
            ),
            (
                0,
                Some(2),
                Some(0),
                21181,
                "C",
                "/root/tools/memhog",
                1272.0
            ),
            (0, Some(2), Some(0), 21198, "C", "./gpu_burn", 7484.0),
        ]
    );
}

#[test]
fn full_captures_tables_parse_like_their_extracted_sections() {
    for (capture, prefix, mig_devices) in [
        (
            "linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt",
            "h100",
            0,
        ),
        (
            "linux-x86_64__nvidia-h100-mig__590.48.01.txt",
            "h100-mig",
            4,
        ),
    ] {
        let capture_text = fixture(capture);
        for state in ["idle", "load"] {
            let body = section(
                &capture_text,
                &format!("{state} :: nvidia-smi (default table)"),
            );
            let from_capture = parse_table(capture, body).unwrap();
            assert_eq!(from_capture.warnings, [], "{capture} {state}");
            assert_eq!(from_capture.mig_devices.len(), mig_devices);
            let extracted = table(&format!("{prefix}__table__{state}.txt"));
            assert_eq!(
                format!("{from_capture:?}"),
                format!("{extracted:?}"),
                "{capture} {state}"
            );
        }
    }
}

/// A hand-written two-GPU table in the same layout: a fan, `N/A` nearly
/// everywhere on GPU 1, exclusive-process mode and a process name with spaces.
const TWO_GPUS: &str = "\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: N/A        |
+-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|                                         |                        |               MIG M. |
|=========================================+========================+======================|
|   0  Tesla T4                       Off |   00000000:3B:00.0 Off |                    2 |
| 30%   35C    P8              9W /   70W |       5MiB /  15360MiB |      7%   E. Process |
|                                         |                        |                  N/A |
+-----------------------------------------+------------------------+----------------------+
|   1  Tesla T4                       Off |   00000000:AF:00.0  On |                  N/A |
| N/A   N/A    N/A             N/A /  N/A |        N/A /      N/A  |     N/A          N/A |
+-----------------------------------------+------------------------+----------------------+

+-----------------------------------------------------------------------------------------+
| Processes:                                                                              |
|  GPU   GI   CI        PID   Type   Process name                            GPU Memory |
|        ID   ID                                                             Usage      |
|=========================================================================================|
|    1   N/A  N/A      2210    C+G   /usr/bin/my app --flag                        N/A |
+-----------------------------------------------------------------------------------------+
";

#[test]
fn missing_values_and_two_row_records() {
    let parsed = parse_table("smi", TWO_GPUS).unwrap();
    assert_eq!(parsed.warnings, []);
    assert_eq!(parsed.driver_version.as_deref(), Some("535.104.05"));
    assert_eq!(parsed.cuda_version, None);
    let [t4, missing] = &parsed.gpus[..] else {
        panic!("two GPUs: {:?}", parsed.gpus);
    };
    assert_eq!(t4.reading.model.as_deref(), Some("Tesla T4"));
    assert_eq!(t4.persistence_mode, Some(false));
    assert_eq!(t4.uncorrected_ecc_errors, Some(2));
    assert_eq!(t4.fan_percent, 30.0);
    assert_eq!(t4.perf_state, Some(8));
    assert_eq!(t4.reading.power_w, 9.0);
    assert_eq!(t4.reading.power_limit_w, 70.0);
    assert_eq!(t4.reading.memory_total_mib, 15360.0);
    assert_eq!(t4.reading.utilization, 0.07);
    assert_eq!(t4.compute_mode.as_deref(), Some("E. Process"));
    assert_eq!(t4.reading.mig_enabled, None, "MIG M. N/A");

    assert_eq!(missing.reading.index, Some(1));
    assert_eq!(missing.display_active, Some(true));
    assert_eq!(missing.uncorrected_ecc_errors, None);
    assert_eq!(missing.perf_state, None);
    assert_eq!(missing.compute_mode, None);
    assert_eq!(missing.reading.mig_enabled, None, "no MIG M. row");
    let reading = &missing.reading;
    for value in [
        missing.fan_percent,
        reading.temperature_c,
        reading.power_w,
        reading.power_limit_w,
        reading.memory_used_mib,
        reading.memory_total_mib,
        reading.utilization,
    ] {
        assert!(value.is_nan(), "{reading:?}");
    }
    assert_eq!(parsed.processes.len(), 1);
    let process = &parsed.processes[0];
    assert_eq!(
        (process.gpu_index, process.pid, process.kind.as_str()),
        (1, 2210, "C+G")
    );
    assert_eq!(process.name, "/usr/bin/my app --flag");
    assert!(process.memory_used_mib.is_nan());
}

#[test]
fn mig_on_without_instances() {
    let text = fixture("h100-mig__table__idle.txt");
    let lines: Vec<&str> = text.lines().collect();
    let empty = [
        &lines[..20],
        &[
            "|  No MIG devices found                                                                  |",
            "+-----------------------------------------------------------------------------------------+",
        ],
        &lines[32..],
    ]
    .concat()
    .join("\n");
    let parsed = parse_table("smi", &empty).unwrap();
    assert_eq!(parsed.gpus[0].reading.mig_enabled, Some(true));
    assert!(parsed.mig_devices.is_empty());
    assert!(parsed.processes.is_empty());
}

#[test]
fn bad_values_are_dropped_with_warnings_naming_line_and_column() {
    let text = TWO_GPUS
        .replace("30%   35C    P8   ", "30%  hotC    P8   ")
        .replace("9W /   70W", "9W / 9999W")
        .replace("      7%   E. Process", "   lots%   E. Process");
    let parsed = parse_table("ssh gpu-1 nvidia-smi", &text).unwrap();
    let warned: Vec<_> = parsed
        .warnings
        .iter()
        .map(|warning| (warning.line, warning.metric.as_str()))
        .collect();
    assert_eq!(warned, [(9, "Temp"), (9, "Pwr:Usage/Cap"), (9, "GPU-Util")]);
    assert_eq!(
        parsed.warnings[1].to_string(),
        "ssh gpu-1 nvidia-smi:9: Pwr:Usage/Cap{index=\"0\"}: \
         value 9999 is outside the physical range 0..=5000 W; dropped"
    );
    let reading = &parsed.gpus[0].reading;
    assert!(reading.temperature_c.is_nan() && reading.utilization.is_nan());
    assert!(reading.power_w.is_nan() && reading.power_limit_w.is_nan());
    assert_eq!(reading.memory_total_mib, 15360.0, "the rest is kept");
}

fn syntax_error(text: &str) -> (usize, String) {
    match parse_table("smi", text) {
        Err(NvidiaSmiError::Syntax { line, reason, .. }) => (line, reason),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn garbage_is_rejected() {
    let (line, reason) = syntax_error(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
    );
    assert_eq!(line, 1);
    assert!(
        reason.starts_with("not nvidia-smi's default table"),
        "{reason}"
    );
    assert!(reason.contains("NVIDIA-SMI has failed"), "{reason}");

    let (line, reason) = syntax_error("");
    assert_eq!(
        (line, reason.as_str()),
        (
            1,
            "not nvidia-smi's default table: expected `+---…+` boxes, found no text"
        )
    );

    let csv = fixture("h100__query-gpu__idle.csv");
    let (line, reason) = syntax_error(&csv);
    assert_eq!(line, 2, "{reason}");

    let stray = TWO_GPUS.replace("\n\n+---", "\nGPU 0: Tesla T4\n\n+---");
    let (line, reason) = syntax_error(&stray);
    assert_eq!(line, 15);
    assert!(reason.contains("`GPU 0: Tesla T4`"), "{reason}");

    let twice = format!("{TWO_GPUS}\n{TWO_GPUS}");
    let (line, reason) = syntax_error(&twice);
    assert_eq!(line, 25);
    assert!(reason.starts_with("a second `NVIDIA-SMI"), "{reason}");

    let error = parse_table("smi", &"x".repeat(MAX_OUTPUT_BYTES + 1)).unwrap_err();
    assert!(
        matches!(error, NvidiaSmiError::TooLarge { .. }),
        "{error:?}"
    );
}

#[test]
fn every_truncation_is_rejected() {
    let text = fixture("h100-mig__table__load.txt");
    let lines: Vec<&str> = text.lines().collect();
    for kept in 0..lines.len() {
        let cut = lines[..kept].join("\n");
        assert!(
            parse_table("smi", &cut).is_err(),
            "the first {kept} lines parsed"
        );
    }
    let (line, reason) = syntax_error(&lines[..11].join("\n"));
    assert_eq!(line, 11);
    assert_eq!(
        reason,
        "the GPU table ends without its closing `+---…+` line: truncated output?"
    );
    let (line, reason) = syntax_error(&lines[..13].join("\n"));
    assert_eq!(line, 12, "the last line");
    assert_eq!(
        reason,
        "no `Processes:` box after the GPU table: truncated output?"
    );
}

#[test]
fn malformed_records_are_rejected_naming_the_cell() {
    let text = fixture("h100-mig__table__idle.txt");
    let short_row = text.replacen("|   00000000:00:09.0 Off |", "   00000000:00:09.0 Off |", 1);
    let (line, reason) = syntax_error(&short_row);
    assert_eq!(line, 9);
    assert_eq!(reason, "GPU row: expected 3 cells between `|`s, found 2");

    let bad_gi = text.replacen("|  0    3   0   1  |", "|  0    x   0   1  |", 1);
    let (line, reason) = syntax_error(&bad_gi);
    assert_eq!(line, 24);
    assert_eq!(reason, "GI ID: expected a number, found `x`");

    let no_bar1 = text.replacen(
        "|                  |               0MiB / 12369MiB    |           |                       |\n",
        "",
        1,
    );
    let (line, reason) = syntax_error(&no_bar1);
    assert_eq!(line, 24);
    assert!(
        reason.starts_with("MIG device record: expected 2 rows"),
        "{reason}"
    );

    let load = fixture("h100-mig__table__load.txt");
    let bad_pid = load.replacen("21181", "pid", 1);
    let (line, reason) = syntax_error(&bad_pid);
    assert_eq!(line, 40);
    assert_eq!(reason, "PID: expected a number, found `pid`");
}
