//! `nvidia-smi` output: `--query-gpu=… --format=csv` into [`GpuReading`]s,
//! `nvidia-smi -L` into the GPUs and MIG devices it lists, and the default
//! table (plain `nvidia-smi`) into readings for GPUs and MIG instances
//! ([`parse_table`], in `table.rs`).
//!
//! The other views (`-q`, `pmon`, `dmon`, `topo -m`, `nvlink -s`) are not
//! read: `--query-gpu` gives every value a snapshot takes from them, and `-L`
//! or the table the MIG devices. The tests read the `-L`, `--query-gpu` and
//! table sections of the full captures in `tests/fixtures/nvidia-smi/`
//! (`linux-x86_64__…`, every view of one H100 with MIG off and on) as well
//! as the extracted files.
//!
//! # `--query-gpu`
//!
//! The first line must be the header (so not `noheader`); it names the
//! fields, in any order and any subset, with units in brackets
//! (`memory.used [MiB]`). Values carry the unit (`81559 MiB`) unless
//! `nounits` was given; both are read. Fields are separated by `", "`;
//! nvidia-smi does not quote, so quotes are read as text. A value in brackets
//! (`[N/A]`, `[Not Supported]`, `[Requested functionality has been
//! deprecated]`, …) is missing.
//!
//! | field | reading |
//! |---|---|
//! | `index`, `uuid`, `name` | `index`, `uuid`, `model` |
//! | `utilization.gpu [%]` | `utilization` ÷ 100 (`[N/A]` under MIG) |
//! | `memory.total` / `.used` / `.free` / `.reserved [MiB]` | `memory_*_mib` |
//! | `temperature.gpu` | `temperature_c` |
//! | `power.draw [W]` | `power_w` |
//! | `enforced.power.limit [W]`, else `power.limit [W]` | `power_limit_w` |
//! | `clocks.current.sm`, `clocks.current.memory [MHz]` | `sm_clock_mhz`, `memory_clock_mhz` |
//! | `clocks_event_reasons.active` (`clocks_throttle_reasons.active` before R535) | `throttle_reasons` |
//! | `mig.mode.current` | `mig_enabled` |
//! | `driver_version` | [`QueryGpu::driver_versions`] |
//!
//! Tensor and DRAM activity and XIDs are not available from nvidia-smi.
//!
//! # Bad input
//!
//! The whole output is rejected ([`NvidiaSmiError`]) when it is over
//! [`MAX_OUTPUT_BYTES`], has no header or no `uuid`/`index` column, or a row
//! whose field count differs from the header's (the columns can no longer be
//! trusted). A value that cannot be read or lies outside its physical range,
//! and a row with neither UUID nor index, are dropped with a [`FieldWarning`].
//!
//! # `-L`
//!
//! ```text
//! GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)
//!   MIG 3g.40gb     Device  0: (UUID: MIG-…)
//! ```
//!
//! Any other non-blank line rejects the listing.
//!
//! # Getting the output
//!
//! `run.rs` runs the command (no shell, with a time limit) or reads a saved
//! run from a file: [`read`] with an [`Input`].

#[cfg(test)]
mod fixtures;
mod run;
mod table;

use std::collections::BTreeSet;

pub use self::run::{Input, RunError, read};
pub use self::table::{Table, TableGpu, TableMigDevice, TableProcess, parse_table};

use super::reading::{
    self, CLOCK_MHZ, FieldWarning, GpuReading, MEMORY_MIB, PERCENT, POWER_W, RejectReason,
    TEMPERATURE_C,
};

/// Largest output read, bytes. The 212-field query is 8 KiB per GPU.
pub const MAX_OUTPUT_BYTES: usize = 16 * 1024 * 1024;

/// What one `--query-gpu` run said.
#[derive(Debug, Clone)]
pub struct QueryGpu {
    /// One reading per row, in output order.
    pub gpus: Vec<GpuReading>,
    /// Driver versions from the `driver_version` column, sorted; normally one.
    pub driver_versions: Vec<String>,
    /// Values dropped from otherwise good output, in output order.
    pub warnings: Vec<FieldWarning>,
}

/// A GPU as `nvidia-smi -L` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedGpu {
    /// Device index.
    pub index: u32,
    /// Model name (`NVIDIA H100 80GB HBM3`).
    pub name: String,
    /// Device UUID (`GPU-…`).
    pub uuid: String,
    /// Its MIG devices, in listed order; empty when MIG is off.
    pub mig_devices: Vec<ListedMigDevice>,
}

/// A MIG device as `nvidia-smi -L` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMigDevice {
    /// Profile name (`1g.10gb`).
    pub profile: String,
    /// MIG device index within the GPU (not the GPU instance id).
    pub device_index: u32,
    /// MIG device UUID (`MIG-…`).
    pub uuid: String,
}

/// nvidia-smi output rejected as a whole.
#[derive(Debug, thiserror::Error)]
pub enum NvidiaSmiError {
    /// Larger than [`MAX_OUTPUT_BYTES`].
    #[error("{source_name}: output is {bytes} bytes, more than the {max} allowed")]
    TooLarge {
        source_name: String,
        bytes: usize,
        max: usize,
    },
    /// No header line.
    #[error(
        "{source_name}: empty output; expected a header line (run with --format=csv, not noheader)"
    )]
    Empty { source_name: String },
    /// The header names no `uuid` or `index` field.
    #[error(
        "{source_name}:1: no `uuid` or `index` field in the header; add uuid to --query-gpu \
         (or is this noheader output?)"
    )]
    NoIdentity { source_name: String },
    /// A row with a different number of fields than the header.
    #[error("{source_name}:{line}: {found} fields, but the header has {expected}; output rejected")]
    RowWidth {
        source_name: String,
        line: usize,
        expected: usize,
        found: usize,
    },
    /// Not the expected format.
    #[error("{source_name}:{line}: {reason}; output rejected")]
    Syntax {
        source_name: String,
        line: usize,
        reason: String,
    },
}

/// Parse `nvidia-smi --query-gpu=… --format=csv[,nounits]` output.
/// `source_name` (the command or file) appears in every error and warning.
pub fn parse_query_gpu(source_name: &str, text: &str) -> Result<QueryGpu, NvidiaSmiError> {
    check_size(source_name, text)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let syntax = |line: usize, error: csv::Error| NvidiaSmiError::Syntax {
        source_name: source_name.to_owned(),
        line,
        reason: error.to_string(),
    };

    let header = match records.next() {
        None => {
            return Err(NvidiaSmiError::Empty {
                source_name: source_name.to_owned(),
            });
        }
        Some(header) => header.map_err(|error| syntax(1, error))?,
    };
    let columns: Vec<Column<'_>> = header.iter().map(Column::of).collect();
    if !columns
        .iter()
        .any(|column| matches!(column.field, Field::Index | Field::Uuid))
    {
        return Err(NvidiaSmiError::NoIdentity {
            source_name: source_name.to_owned(),
        });
    }

    let mut out = QueryGpu {
        gpus: Vec::new(),
        driver_versions: Vec::new(),
        warnings: Vec::new(),
    };
    let mut driver_versions = BTreeSet::new();
    for record in records {
        let record = record.map_err(|error| {
            let line = error
                .position()
                .map_or(0, |position| position.line() as usize);
            syntax(line, error)
        })?;
        let line = record
            .position()
            .map_or(0, |position| position.line() as usize);
        if record.len() != columns.len() {
            return Err(NvidiaSmiError::RowWidth {
                source_name: source_name.to_owned(),
                line,
                expected: columns.len(),
                found: record.len(),
            });
        }
        let row = Row {
            source_name,
            line,
            columns: &columns,
            values: record.iter().collect(),
        };
        if let Some(driver) = row.text(Field::DriverVersion) {
            driver_versions.insert(driver.to_owned());
        }
        if let Some(reading) = row.reading(&mut out.warnings) {
            out.gpus.push(reading);
        }
    }
    out.driver_versions = driver_versions.into_iter().collect();
    Ok(out)
}

/// The fields read; everything else is [`Field::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Index,
    Uuid,
    Name,
    DriverVersion,
    Utilization,
    MemoryTotal,
    MemoryUsed,
    MemoryFree,
    MemoryReserved,
    Temperature,
    PowerDraw,
    PowerLimit,
    EnforcedPowerLimit,
    SmClock,
    MemoryClock,
    ThrottleReasons,
    MigMode,
    Other,
}

/// One header field: `memory.used [MiB]` is name `memory.used`, unit `MiB`.
struct Column<'h> {
    name: &'h str,
    unit: Option<&'h str>,
    field: Field,
}

impl<'h> Column<'h> {
    fn of(header: &'h str) -> Self {
        let (name, unit) = match header.split_once(" [") {
            Some((name, unit)) => (name.trim(), unit.strip_suffix(']')),
            None => (header, None),
        };
        let field = match name {
            "index" => Field::Index,
            "uuid" => Field::Uuid,
            "name" => Field::Name,
            "driver_version" => Field::DriverVersion,
            "utilization.gpu" => Field::Utilization,
            "memory.total" => Field::MemoryTotal,
            "memory.used" => Field::MemoryUsed,
            "memory.free" => Field::MemoryFree,
            "memory.reserved" => Field::MemoryReserved,
            "temperature.gpu" => Field::Temperature,
            "power.draw" => Field::PowerDraw,
            "power.limit" => Field::PowerLimit,
            "enforced.power.limit" => Field::EnforcedPowerLimit,
            "clocks.current.sm" => Field::SmClock,
            "clocks.current.memory" => Field::MemoryClock,
            "clocks_event_reasons.active" | "clocks_throttle_reasons.active" => {
                Field::ThrottleReasons
            }
            "mig.mode.current" => Field::MigMode,
            _ => Field::Other,
        };
        Column { name, unit, field }
    }
}

/// One data row with its header.
struct Row<'a> {
    source_name: &'a str,
    line: usize,
    columns: &'a [Column<'a>],
    values: Vec<&'a str>,
}

impl Row<'_> {
    /// The present (not bracketed) text of `field`, if queried.
    fn text(&self, field: Field) -> Option<&str> {
        let at = self
            .columns
            .iter()
            .position(|column| column.field == field)?;
        present(self.values[at])
    }

    /// The reading this row gives, pushing a warning for each value dropped.
    fn reading(&self, warnings: &mut Vec<FieldWarning>) -> Option<GpuReading> {
        let uuid = self.text(Field::Uuid);
        let index_text = self.text(Field::Index);
        let labels = render_labels(index_text, uuid);
        let warn = |metric: &str, reason| FieldWarning {
            source_name: self.source_name.to_owned(),
            line: self.line,
            metric: metric.to_owned(),
            labels: labels.clone(),
            reason,
        };

        let index = match index_text.map(str::parse::<u32>) {
            Some(Err(_)) => {
                warnings.push(warn("index", unreadable(index_text.unwrap_or_default())));
                None
            }
            parsed => parsed.and_then(Result::ok),
        };
        if uuid.is_none() && index.is_none() {
            warnings.push(warn("uuid", RejectReason::Unattributed));
            return None;
        }

        let mut reading = GpuReading {
            index,
            uuid: uuid.map(str::to_owned),
            model: self.text(Field::Name).map(str::to_owned),
            ..GpuReading::default()
        };
        let mut power_limit = f64::NAN;
        let mut enforced_power_limit = f64::NAN;
        for (column, value) in self.columns.iter().zip(&self.values) {
            let Some(text) = present(value) else {
                continue;
            };
            let quantity = |range: reading::Range| {
                number(text, column.unit)
                    .ok_or_else(|| unreadable(text))
                    .and_then(|value| range.check(value))
            };
            let stored = match column.field {
                Field::Index | Field::Uuid | Field::Name | Field::DriverVersion | Field::Other => {
                    Ok(())
                }
                Field::Utilization => {
                    quantity(PERCENT).map(|value| reading.utilization = value / 100.0)
                }
                Field::MemoryTotal => {
                    quantity(MEMORY_MIB).map(|value| reading.memory_total_mib = value)
                }
                Field::MemoryUsed => {
                    quantity(MEMORY_MIB).map(|value| reading.memory_used_mib = value)
                }
                Field::MemoryFree => {
                    quantity(MEMORY_MIB).map(|value| reading.memory_free_mib = value)
                }
                Field::MemoryReserved => {
                    quantity(MEMORY_MIB).map(|value| reading.memory_reserved_mib = value)
                }
                Field::Temperature => {
                    quantity(TEMPERATURE_C).map(|value| reading.temperature_c = value)
                }
                Field::PowerDraw => quantity(POWER_W).map(|value| reading.power_w = value),
                Field::PowerLimit => quantity(POWER_W).map(|value| power_limit = value),
                Field::EnforcedPowerLimit => {
                    quantity(POWER_W).map(|value| enforced_power_limit = value)
                }
                Field::SmClock => quantity(CLOCK_MHZ).map(|value| reading.sm_clock_mhz = value),
                Field::MemoryClock => {
                    quantity(CLOCK_MHZ).map(|value| reading.memory_clock_mhz = value)
                }
                Field::ThrottleReasons => text
                    .strip_prefix("0x")
                    .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                    .map(|reasons| reading.throttle_reasons = Some(reasons))
                    .ok_or_else(|| unreadable(text)),
                Field::MigMode => match text {
                    "Enabled" => Some(true),
                    "Disabled" => Some(false),
                    _ => None,
                }
                .map(|enabled| reading.mig_enabled = Some(enabled))
                .ok_or_else(|| unreadable(text)),
            };
            if let Err(reason) = stored {
                warnings.push(warn(column.name, reason));
            }
        }
        reading.power_limit_w = if enforced_power_limit.is_nan() {
            power_limit
        } else {
            enforced_power_limit
        };
        reading.complete_memory_total();
        Some(reading)
    }
}

/// `text` unless it is a bracketed placeholder (`[N/A]`, `[Not Supported]`, …) or empty.
fn present(text: &str) -> Option<&str> {
    let placeholder = text.is_empty() || (text.starts_with('[') && text.ends_with(']'));
    (!placeholder).then_some(text)
}

/// `81559 MiB` (or, with `nounits`, `81559`) as a number.
fn number(text: &str, unit: Option<&str>) -> Option<f64> {
    let bare = unit
        .and_then(|unit| text.strip_suffix(unit))
        .map_or(text, str::trim_end);
    bare.parse().ok().filter(|value: &f64| !value.is_nan())
}

fn unreadable(text: &str) -> RejectReason {
    RejectReason::Unreadable {
        text: reading::clip(text),
    }
}

fn render_labels(index: Option<&str>, uuid: Option<&str>) -> String {
    let parts: Vec<String> = [("index", index), ("uuid", uuid)]
        .into_iter()
        .filter_map(|(name, value)| {
            value.map(|value| format!("{name}=\"{}\"", reading::clip(value)))
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

/// Parse `nvidia-smi -L` output. `source_name` (the command or file) appears
/// in every error.
pub fn parse_list(source_name: &str, text: &str) -> Result<Vec<ListedGpu>, NvidiaSmiError> {
    check_size(source_name, text)?;
    let mut gpus: Vec<ListedGpu> = Vec::new();
    for (at, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let syntax = |reason: String| NvidiaSmiError::Syntax {
            source_name: source_name.to_owned(),
            line: at + 1,
            reason,
        };
        if line.is_empty() {
            continue;
        }
        if let Some(gpu) = gpu_line(line) {
            gpus.push(gpu);
        } else if let Some(device) = mig_line(line) {
            let Some(gpu) = gpus.last_mut() else {
                return Err(syntax("MIG device listed before any GPU".to_owned()));
            };
            gpu.mig_devices.push(device);
        } else {
            return Err(syntax(format!(
                "expected `GPU <n>: <name> (UUID: …)` or `MIG <profile> Device <n>: (UUID: …)`, \
                 found `{}`",
                reading::clip(line)
            )));
        }
    }
    Ok(gpus)
}

/// `GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)`
fn gpu_line(line: &str) -> Option<ListedGpu> {
    let (index, rest) = line.strip_prefix("GPU ")?.split_once(':')?;
    let (name, uuid) = rest.strip_suffix(')')?.rsplit_once("(UUID:")?;
    Some(ListedGpu {
        index: index.trim().parse().ok()?,
        name: non_empty(name)?,
        uuid: non_empty(uuid)?,
        mig_devices: Vec::new(),
    })
}

/// `MIG 1g.10gb     Device  2: (UUID: MIG-…)`
fn mig_line(line: &str) -> Option<ListedMigDevice> {
    let rest = line.strip_prefix("MIG ")?.trim_start();
    let (profile, rest) = rest.split_once(char::is_whitespace)?;
    let (index, rest) = rest.trim_start().strip_prefix("Device")?.split_once(':')?;
    let uuid = rest.trim().strip_prefix("(UUID:")?.strip_suffix(')')?;
    Some(ListedMigDevice {
        profile: non_empty(profile)?,
        device_index: index.trim().parse().ok()?,
        uuid: non_empty(uuid)?,
    })
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn check_size(source_name: &str, text: &str) -> Result<(), NvidiaSmiError> {
    if text.len() > MAX_OUTPUT_BYTES {
        return Err(NvidiaSmiError::TooLarge {
            source_name: source_name.to_owned(),
            bytes: text.len(),
            max: MAX_OUTPUT_BYTES,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fixtures::{fixture, section};
    use super::*;

    fn query(name: &str) -> QueryGpu {
        let parsed = parse_query_gpu(name, &fixture(name)).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(parsed.warnings, [], "{name}");
        assert_eq!(parsed.driver_versions, ["590.48.01"], "{name}");
        assert_eq!(parsed.gpus.len(), 1, "{name}");
        parsed
    }

    const H100_UUID: &str = "GPU-00000000-0000-0000-0000-000000000000";

    #[test]
    fn h100_idle_query() {
        let gpu = &query("h100__query-gpu__idle.csv").gpus[0];
        assert_eq!(gpu.index, Some(0));
        assert_eq!(gpu.uuid.as_deref(), Some(H100_UUID));
        assert_eq!(gpu.model.as_deref(), Some("NVIDIA H100 80GB HBM3"));
        assert_eq!(gpu.utilization, 0.0);
        assert_eq!(gpu.memory_total_mib, 81559.0);
        assert_eq!(gpu.memory_reserved_mib, 479.0);
        assert_eq!(gpu.memory_used_mib, 0.0);
        assert_eq!(gpu.memory_free_mib, 81081.0);
        assert_eq!(gpu.temperature_c, 41.0);
        assert_eq!(gpu.power_w, 69.85);
        assert_eq!(gpu.power_limit_w, 700.0);
        assert_eq!(gpu.sm_clock_mhz, 345.0);
        assert_eq!(gpu.memory_clock_mhz, 2619.0);
        assert_eq!(gpu.throttle_reasons, Some(1));
        assert!(!gpu.throttled(), "idle is not throttling");
        assert_eq!(gpu.mig_enabled, Some(false));
        assert_eq!(gpu.mig, None);
        assert_eq!(gpu.last_xid, None, "nvidia-smi does not report XIDs");
        assert!(gpu.tensor_activity.is_nan() && gpu.dram_activity.is_nan());
    }

    #[test]
    fn h100_load_query() {
        let gpu = &query("h100__query-gpu__load.csv").gpus[0];
        assert_eq!(gpu.utilization, 1.0);
        assert_eq!(gpu.memory_used_mib, 19818.0);
        assert_eq!(gpu.memory_free_mib, 61263.0);
        assert_eq!(gpu.power_w, 631.95);
        assert_eq!(gpu.temperature_c, 59.0);
        assert_eq!(gpu.sm_clock_mhz, 1980.0);
        assert_eq!(gpu.throttle_reasons, Some(0));
    }

    #[test]
    fn h100_mig_idle_query_has_no_utilisation() {
        let gpu = &query("h100-mig__query-gpu__idle.csv").gpus[0];
        assert!(gpu.utilization.is_nan(), "[N/A] under MIG");
        assert_eq!(gpu.mig_enabled, Some(true));
        assert_eq!(gpu.memory_used_mib, 59.0);
        assert_eq!(gpu.memory_free_mib, 81022.0);
        assert_eq!(gpu.memory_total_mib, 81559.0);
        assert_eq!(gpu.power_w, 71.15);
        assert_eq!(gpu.temperature_c, 42.0);
    }

    #[test]
    fn h100_mig_load_query() {
        let gpu = &query("h100-mig__query-gpu__load.csv").gpus[0];
        assert!(gpu.utilization.is_nan());
        assert_eq!(gpu.memory_used_mib, 11125.0);
        assert_eq!(gpu.memory_free_mib, 69956.0);
        assert_eq!(gpu.power_w, 433.78);
        assert_eq!(gpu.temperature_c, 53.0);
        assert_eq!(gpu.sm_clock_mhz, 1980.0);
    }

    #[test]
    fn h100_mig_listing() {
        let gpus = parse_list("h100-mig__list.txt", &fixture("h100-mig__list.txt")).unwrap();
        assert_eq!(gpus.len(), 1);
        assert_eq!(gpus[0].index, 0);
        assert_eq!(gpus[0].name, "NVIDIA H100 80GB HBM3");
        assert_eq!(gpus[0].uuid, H100_UUID);
        let devices: Vec<_> = gpus[0]
            .mig_devices
            .iter()
            .map(|device| (device.profile.as_str(), device.device_index))
            .collect();
        assert_eq!(
            devices,
            [
                ("3g.40gb", 0),
                ("2g.20gb", 1),
                ("1g.10gb", 2),
                ("1g.10gb", 3)
            ]
        );
        assert_eq!(
            gpus[0].mig_devices[3].uuid,
            "MIG-00000003-0000-0000-0000-000000000003"
        );
    }

    #[test]
    fn h100_listing_without_mig() {
        let gpus = parse_list("h100__list.txt", &fixture("h100__list.txt")).unwrap();
        assert_eq!(gpus.len(), 1);
        assert_eq!(gpus[0].uuid, H100_UUID);
        assert!(gpus[0].mig_devices.is_empty());
    }

    #[test]
    fn full_captures_parse_like_their_extracted_sections() {
        for (capture, prefix) in [
            ("linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt", "h100"),
            ("linux-x86_64__nvidia-h100-mig__590.48.01.txt", "h100-mig"),
        ] {
            let capture_text = fixture(capture);
            let listed = parse_list(capture, section(&capture_text, "capabilities :: list (-L)"));
            let extracted = parse_list(capture, &fixture(&format!("{prefix}__list.txt")));
            assert_eq!(listed.unwrap(), extracted.unwrap(), "{capture}");
            for state in ["idle", "load"] {
                let title = format!("{state} :: query-gpu (csv, what the exporter parses)");
                let from_capture =
                    parse_query_gpu(capture, section(&capture_text, &title)).unwrap();
                let extracted = query(&format!("{prefix}__query-gpu__{state}.csv"));
                assert_eq!(
                    format!("{:?}", from_capture.gpus),
                    format!("{:?}", extracted.gpus),
                    "{capture} {state}"
                );
            }
        }
    }

    const HEADER: &str = "index, uuid, name, utilization.gpu [%], memory.used [MiB], \
                          memory.total [MiB], temperature.gpu, power.draw [W], power.limit [W]";

    #[test]
    fn nounits_and_a_subset_of_fields_are_read() {
        let text = format!(
            "{HEADER}\n1, GPU-b, NVIDIA A100-SXM4-40GB, 37, 1024, 40960, 55, 250.5, 400.00\n"
        );
        let parsed = parse_query_gpu("nvidia-smi", &text).unwrap();
        let gpu = &parsed.gpus[0];
        assert_eq!(gpu.index, Some(1));
        assert_eq!(gpu.utilization, 0.37);
        assert_eq!(gpu.memory_used_mib, 1024.0);
        assert_eq!(gpu.memory_total_mib, 40960.0);
        assert_eq!(
            gpu.power_limit_w, 400.0,
            "power.limit without enforced.power.limit"
        );
        assert!(parsed.driver_versions.is_empty());
        assert_eq!(parsed.warnings, []);
    }

    #[test]
    fn placeholders_are_missing() {
        let text = format!(
            "{HEADER}\n0, GPU-a, T4, [Not Supported], [N/A], [Unknown Error], 40, \
             [Requested functionality has been deprecated], 70.00 W\n"
        );
        let parsed = parse_query_gpu("nvidia-smi", &text).unwrap();
        let gpu = &parsed.gpus[0];
        assert!(gpu.utilization.is_nan() && gpu.memory_used_mib.is_nan());
        assert!(gpu.memory_total_mib.is_nan() && gpu.power_w.is_nan());
        assert_eq!(gpu.temperature_c, 40.0);
        assert_eq!(parsed.warnings, []);
    }

    #[test]
    fn bad_values_are_dropped_with_warnings_naming_them() {
        let text = format!(
            "{HEADER}\n0, GPU-a, T4, 500 %, -5 MiB, lots MiB, 10000, 70 W, 70 W\n\
             [N/A], [N/A], T4, 1 %, 1 MiB, 2 MiB, 30, 1 W, 70 W\n"
        );
        let parsed = parse_query_gpu("nvidia-smi -q", &text).unwrap();
        assert_eq!(parsed.gpus.len(), 1, "the row without identity is dropped");
        let gpu = &parsed.gpus[0];
        assert!(gpu.utilization.is_nan() && gpu.memory_used_mib.is_nan());
        assert!(gpu.memory_total_mib.is_nan() && gpu.temperature_c.is_nan());
        assert_eq!(gpu.power_w, 70.0);
        let warned: Vec<_> = parsed
            .warnings
            .iter()
            .map(|warning| (warning.line, warning.metric.as_str()))
            .collect();
        assert_eq!(
            warned,
            [
                (2, "utilization.gpu"),
                (2, "memory.used"),
                (2, "memory.total"),
                (2, "temperature.gpu"),
                (3, "uuid"),
            ]
        );
        assert_eq!(
            parsed.warnings[3].to_string(),
            "nvidia-smi -q:2: temperature.gpu{index=\"0\",uuid=\"GPU-a\"}: \
             value 10000 is outside the physical range -40..=150 °C; dropped"
        );
        assert_eq!(
            parsed.warnings[2].reason,
            RejectReason::Unreadable {
                text: "lots MiB".into()
            }
        );
        assert_eq!(parsed.warnings[4].reason, RejectReason::Unattributed);
    }

    #[test]
    fn malformed_output_is_rejected() {
        let err = parse_query_gpu("smi", "").unwrap_err();
        assert!(matches!(err, NvidiaSmiError::Empty { .. }), "{err:?}");

        let noheader = "0, GPU-a, T4, 1 %\n";
        let err = parse_query_gpu("smi", noheader).unwrap_err();
        assert!(matches!(err, NvidiaSmiError::NoIdentity { .. }), "{err:?}");

        let short = format!("{HEADER}\n0, GPU-a, T4\n");
        let err = parse_query_gpu("smi", &short).unwrap_err();
        assert!(
            matches!(
                err,
                NvidiaSmiError::RowWidth {
                    line: 2,
                    expected: 9,
                    found: 3,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "smi:2: 3 fields, but the header has 9; output rejected"
        );

        let huge = "x".repeat(MAX_OUTPUT_BYTES + 1);
        let err = parse_query_gpu("smi", &huge).unwrap_err();
        assert!(matches!(err, NvidiaSmiError::TooLarge { .. }), "{err:?}");
    }

    #[test]
    fn malformed_listings_are_rejected_at_the_line() {
        let err = parse_list("smi -L", "  MIG 1g.10gb Device 0: (UUID: MIG-a)\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("smi -L:1: MIG device listed before any GPU")
        );

        let text = "GPU 0: NVIDIA H100 (UUID: GPU-a)\nNo devices were found\n";
        let err = parse_list("smi -L", text).unwrap_err();
        assert!(
            matches!(err, NvidiaSmiError::Syntax { line: 2, .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("No devices were found"), "{err}");

        let err = parse_list("smi -L", "GPU x: NVIDIA H100 (UUID: GPU-a)\n").unwrap_err();
        assert!(
            matches!(err, NvidiaSmiError::Syntax { line: 1, .. }),
            "{err:?}"
        );
    }

    proptest::proptest! {
        /// Whatever a command prints or a file holds, each nvidia-smi
        /// parser answers with its reading or an error that names the
        /// source; none panics.
        #[test]
        fn arbitrary_output_parses_or_fails_naming_the_source(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096),
        ) {
            let text = String::from_utf8_lossy(&bytes);
            let source = "ml-node-4 nvidia-smi";
            let errors = [
                parse_query_gpu(source, &text).err().map(|e| e.to_string()),
                parse_list(source, &text).err().map(|e| e.to_string()),
                table::parse_table(source, &text).err().map(|e| e.to_string()),
            ];
            for error in errors.into_iter().flatten() {
                proptest::prop_assert!(error.starts_with(source), "{error}");
            }
        }

        /// CSV-shaped output with arbitrary fields.
        #[test]
        fn csv_shaped_output_parses_or_fails_naming_the_source(
            rows in proptest::collection::vec(
                proptest::collection::vec("[ a-zA-Z0-9.,%\\[\\]-]{0,16}", 1..8),
                0..8,
            ),
        ) {
            let mut text = String::from("index, uuid, name, utilization.gpu [%], memory.used [MiB]\n");
            for row in &rows {
                text.push_str(&row.join(", "));
                text.push('\n');
            }
            let source = "ml-node-4 nvidia-smi";
            if let Err(error) = parse_query_gpu(source, &text) {
                proptest::prop_assert!(error.to_string().starts_with(source), "{error}");
            }
        }
    }
}
