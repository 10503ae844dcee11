//! `nvidia-smi` with no arguments: the default table, read into
//! [`GpuReading`]s for the GPUs and their MIG GPU instances, plus what the
//! table shows beside them (bus id, fan, performance state, MIG compute
//! instance, SM count, BAR1, processes).
//!
//! ```text
//! | NVIDIA-SMI 590.48.01              Driver Version: 590.48.01      CUDA Version: 13.1     |
//! |   0  NVIDIA H100 80GB HBM3          On  |   00000000:00:09.0 Off |                   On |
//! | N/A   42C    P0             98W /  700W |      59MiB /  81559MiB |     N/A      Default |
//! |                                         |                        |              Enabled |
//! …
//! |  0    2   0   0  |              26MiB / 40448MiB    | 60      0 |  3   0    3    0    3 |
//! |                  |               0MiB / 24739MiB    |           |                       |
//! …
//! |    0    2    0            21180      C   /root/tools/memhog                     2296MiB |
//! ```
//!
//! | cell | value |
//! |---|---|
//! | header `Driver Version`, `CUDA Version` | [`Table::driver_version`], [`Table::cuda_version`] |
//! | `GPU`, `Name` | `index`, `model` (cut short when longer than the column) |
//! | `Persistence-M`, `Disp.A` | [`TableGpu::persistence_mode`], [`TableGpu::display_active`] |
//! | `Bus-Id` | [`TableGpu::bus_id`] |
//! | `Volatile Uncorr. ECC` | [`TableGpu::uncorrected_ecc_errors`] (under MIG the cell shows the ECC mode, `On`, and the counts move to the MIG rows) |
//! | `Fan`, `Perf` | [`TableGpu::fan_percent`], [`TableGpu::perf_state`] |
//! | `Temp` | `temperature_c` (`41C`) |
//! | `Pwr:Usage/Cap` | `power_w`, `power_limit_w` (whole watts) |
//! | `Memory-Usage` | `memory_used_mib`, `memory_total_mib` |
//! | `GPU-Util` | `utilization` ÷ 100 (`N/A` under MIG) |
//! | `Compute M.`, `MIG M.` | [`TableGpu::compute_mode`], `mig_enabled` |
//! | MIG `GPU`, `GI ID` | the instance reading's `index` and [`MigInstance::instance_id`] |
//! | MIG `CI ID`, `MIG Dev`, `SM`, `Vol Unc ECC` | [`TableMigDevice`] fields |
//! | MIG `Shared Memory-Usage`, `Shared BAR1-Usage` | `memory_used_mib`, `memory_total_mib`; [`TableMigDevice::bar1_used_mib`], `bar1_total_mib` |
//! | Processes | [`TableProcess`] |
//!
//! The table names no UUIDs and no MIG profiles; [`Table::add_listing`] takes
//! both from `nvidia-smi -L` output, joining on the GPU index and the MIG
//! device index. MIG engine counts (`CE ENC DEC OFA JPG`) follow from the
//! profile and are not read.
//!
//! # Bad input
//!
//! `N/A` and bracketed placeholders are missing values. The whole output is
//! rejected ([`NvidiaSmiError::Syntax`], naming the line and the cell) when
//! it is not the table, a box is cut short (truncated output), a record has
//! the wrong number of cells or rows, or an identifying number (GPU index, GI,
//! CI, MIG device, PID) does not read. Any other value that does not read or
//! lies outside its physical range is dropped with a [`FieldWarning`] naming
//! the column.

mod layout;

use self::layout::{Row, Section};
use super::{ListedGpu, NvidiaSmiError, check_size, present, render_labels, unreadable};
use crate::sources::reading::{
    self, FieldWarning, GpuReading, MEMORY_MIB, MigInstance, PERCENT, POWER_W, Range, RejectReason,
    TEMPERATURE_C,
};

/// What one run of `nvidia-smi` (the default table) said.
#[derive(Debug, Clone)]
pub struct Table {
    /// `Driver Version` from the header.
    pub driver_version: Option<String>,
    /// `CUDA Version` from the header: the newest CUDA the driver supports.
    pub cuda_version: Option<String>,
    /// Whole GPUs, in table order.
    pub gpus: Vec<TableGpu>,
    /// MIG devices, in table order; empty when no GPU has MIG on.
    pub mig_devices: Vec<TableMigDevice>,
    /// Processes using a GPU, in table order.
    pub processes: Vec<TableProcess>,
    /// Values dropped from otherwise good output, in output order.
    pub warnings: Vec<FieldWarning>,
}

/// A GPU's record in the table.
#[derive(Debug, Clone)]
pub struct TableGpu {
    /// Index, model, temperature, power, memory, utilisation and MIG mode.
    pub reading: GpuReading,
    /// PCI bus id (`00000000:00:09.0`).
    pub bus_id: String,
    /// Persistence mode on.
    pub persistence_mode: Option<bool>,
    /// A display is initialised on the GPU.
    pub display_active: Option<bool>,
    /// Volatile uncorrected ECC errors; `None` when the cell shows none.
    pub uncorrected_ecc_errors: Option<u64>,
    /// Fan speed, percent of maximum; `NaN` when missing (passively cooled boards).
    pub fan_percent: f64,
    /// Performance state: 0 for `P0` (maximum) to 15.
    pub perf_state: Option<u8>,
    /// Compute mode as shown (`Default`, `E. Process`, `Prohibited`).
    pub compute_mode: Option<String>,
}

/// A MIG device's record in the table: one GPU instance and compute instance.
#[derive(Debug, Clone)]
pub struct TableMigDevice {
    /// The parent's index, [`MigInstance`] (GI id; profile once
    /// [`Table::add_listing`] gives it) and the instance's memory.
    pub reading: GpuReading,
    /// Compute instance id within the GPU instance.
    pub compute_instance_id: u32,
    /// MIG device index within the GPU, as `nvidia-smi -L` numbers it.
    pub device_index: u32,
    /// Streaming multiprocessors.
    pub sm_count: Option<u32>,
    /// Volatile uncorrected ECC errors.
    pub uncorrected_ecc_errors: Option<u64>,
    /// BAR1 memory in use, MiB.
    pub bar1_used_mib: f64,
    /// BAR1 memory in total, MiB.
    pub bar1_total_mib: f64,
}

/// A row of the Processes box.
#[derive(Debug, Clone, PartialEq)]
pub struct TableProcess {
    /// GPU index.
    pub gpu_index: u32,
    /// GPU instance id; `None` without MIG.
    pub gpu_instance_id: Option<u32>,
    /// Compute instance id; `None` without MIG.
    pub compute_instance_id: Option<u32>,
    /// Process id.
    pub pid: u32,
    /// `C` (compute), `G` (graphics) or `C+G`.
    pub kind: String,
    /// Process name, cut short (with a leading `...`) when long.
    pub name: String,
    /// GPU memory used, MiB; `NaN` when not reported.
    pub memory_used_mib: f64,
}

impl Table {
    /// Fill in what only `nvidia-smi -L` says: each GPU's UUID (on its
    /// readings and its MIG devices') by index, and each MIG device's
    /// profile by GPU index and MIG device index.
    pub fn add_listing(&mut self, listed: &[ListedGpu]) {
        let by_index = |index: Option<u32>| listed.iter().find(|gpu| Some(gpu.index) == index);
        for gpu in &mut self.gpus {
            if let Some(listed) = by_index(gpu.reading.index) {
                gpu.reading.uuid = Some(listed.uuid.clone());
            }
        }
        for device in &mut self.mig_devices {
            let Some(listed) = by_index(device.reading.index) else {
                continue;
            };
            device.reading.uuid = Some(listed.uuid.clone());
            let profile = listed
                .mig_devices
                .iter()
                .find(|mig| mig.device_index == device.device_index);
            if let (Some(mig), Some(profile)) = (&mut device.reading.mig, profile) {
                mig.profile = Some(profile.profile.clone());
            }
        }
    }
}

/// Parse the default `nvidia-smi` table. `source_name` (the command or file)
/// appears in every error and warning.
pub fn parse_table(source_name: &str, text: &str) -> Result<Table, NvidiaSmiError> {
    check_size(source_name, text)?;
    let sections = layout::sections(source_name, text)?;
    let syntax = |line: usize, reason: String| NvidiaSmiError::Syntax {
        source_name: source_name.to_owned(),
        line,
        reason,
    };
    let mut values = Values {
        source_name,
        warnings: Vec::new(),
    };
    let mut table = Table {
        driver_version: None,
        cuda_version: None,
        gpus: Vec::new(),
        mig_devices: Vec::new(),
        processes: Vec::new(),
        warnings: Vec::new(),
    };
    let mut seen: Vec<Kind> = Vec::new();
    for Section { title, records } in &sections {
        let name = title.inner.trim();
        let kind = match name {
            _ if name.starts_with("NVIDIA-SMI") => Kind::Gpus,
            "MIG devices:" => Kind::MigDevices,
            "Processes:" => Kind::Processes,
            _ => {
                return Err(syntax(
                    title.line,
                    format!(
                        "expected the `NVIDIA-SMI` header, `MIG devices:` or `Processes:`, \
                         found `{}`",
                        reading::clip(name)
                    ),
                ));
            }
        };
        if seen.contains(&kind) {
            return Err(syntax(
                title.line,
                format!(
                    "a second `{}` box: give the output of one run",
                    reading::clip(name)
                ),
            ));
        }
        if kind != Kind::Gpus && seen.is_empty() {
            return Err(syntax(
                title.line,
                format!("`{}` before the `NVIDIA-SMI` header", reading::clip(name)),
            ));
        }
        seen.push(kind);
        match kind {
            Kind::Gpus => {
                table.driver_version = header_value(name, "Driver Version:");
                table.cuda_version = header_value(name, "CUDA Version:");
                if records.is_empty() {
                    return Err(syntax(title.line, "the GPU table lists no GPU".to_owned()));
                }
                for record in records {
                    table.gpus.push(values.gpu(record)?);
                }
            }
            Kind::MigDevices => {
                for record in records {
                    if let [row] = record.as_slice()
                        && row.inner.trim() == "No MIG devices found"
                    {
                        continue;
                    }
                    table.mig_devices.push(values.mig_device(record)?);
                }
            }
            Kind::Processes => {
                for row in records.iter().flatten() {
                    if row.inner.trim() != "No running processes found" {
                        table.processes.push(values.process(row)?);
                    }
                }
            }
        }
    }
    if !seen.contains(&Kind::Processes) {
        return Err(syntax(
            text.lines().count(),
            "no `Processes:` box after the GPU table: truncated output?".to_owned(),
        ));
    }
    table.warnings = values.warnings;
    Ok(table)
}

/// The boxes of the table, each at most once, the GPUs' first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gpus,
    MigDevices,
    Processes,
}

/// The word after `label` in the header row; `None` when absent or `N/A`.
fn header_value(header: &str, label: &str) -> Option<String> {
    let (_, after) = header.split_once(label)?;
    let word = after.split_whitespace().next()?;
    value(word).map(str::to_owned)
}

/// `text` unless it is `N/A`, a bracketed placeholder or empty.
fn value(text: &str) -> Option<&str> {
    present(text).filter(|text| *text != "N/A")
}

/// `text` with `unit` (`41C`, `69W`, `81559MiB`, `0%`) as a number in
/// `range`; `NaN` when missing.
fn quantity(text: &str, unit: &str, range: Range) -> Result<f64, RejectReason> {
    let Some(text) = value(text) else {
        return Ok(f64::NAN);
    };
    text.strip_suffix(unit)
        .and_then(|number| number.trim_end().parse::<f64>().ok())
        .filter(|number| !number.is_nan())
        .ok_or_else(|| unreadable(text))
        .and_then(|number| range.check(number))
}

/// `used / total` (both with `unit`), each `NaN` when missing.
fn pair(text: &str, unit: &str, range: Range) -> Result<(f64, f64), RejectReason> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [used, "/", total] = words[..] else {
        return Err(unreadable(text));
    };
    Ok((quantity(used, unit, range)?, quantity(total, unit, range)?))
}

/// `On` / `Off` (`Enabled` / `Disabled` with `words`), `None` when missing.
fn switch(text: &str, words: [&str; 2]) -> Result<Option<bool>, RejectReason> {
    match value(text) {
        None => Ok(None),
        Some(text) if text == words[0] => Ok(Some(true)),
        Some(text) if text == words[1] => Ok(Some(false)),
        Some(text) => Err(unreadable(text)),
    }
}

/// A whole number, `None` when missing.
fn count<T: std::str::FromStr>(text: &str) -> Result<Option<T>, RejectReason> {
    value(text)
        .map(|text| text.parse().map_err(|_| unreadable(text)))
        .transpose()
}

/// The first whitespace-separated word of `text` and the trimmed rest.
fn first_word(text: &str) -> (&str, &str) {
    let text = text.trim();
    text.split_once(char::is_whitespace)
        .map_or((text, ""), |(word, rest)| (word, rest.trim_start()))
}

/// Reads cells into values, collecting warnings for the ones dropped.
struct Values<'s> {
    source_name: &'s str,
    warnings: Vec<FieldWarning>,
}

/// Where a value sits: the line, the column and the record's identity.
struct At<'a> {
    line: usize,
    column: &'a str,
    labels: &'a str,
}

impl Values<'_> {
    /// The value, or `missing` with a warning when it was dropped.
    fn keep<T>(&mut self, at: At<'_>, result: Result<T, RejectReason>, missing: T) -> T {
        result.unwrap_or_else(|reason| {
            self.warnings.push(FieldWarning {
                source_name: self.source_name.to_owned(),
                line: at.line,
                metric: at.column.to_owned(),
                labels: at.labels.to_owned(),
                reason,
            });
            missing
        })
    }

    fn syntax(&self, line: usize, reason: String) -> NvidiaSmiError {
        NvidiaSmiError::Syntax {
            source_name: self.source_name.to_owned(),
            line,
            reason,
        }
    }

    /// The `N` cells of `row`.
    fn cells<'t, const N: usize>(
        &self,
        row: &Row<'t>,
        what: &str,
    ) -> Result<[&'t str; N], NvidiaSmiError> {
        let cells = row.cells();
        let found = cells.len();
        cells.try_into().map_err(|_| {
            self.syntax(
                row.line,
                format!("{what}: expected {N} cells between `|`s, found {found}"),
            )
        })
    }

    /// An identifying whole number.
    fn id<T: std::str::FromStr>(
        &self,
        line: usize,
        column: &str,
        text: &str,
    ) -> Result<T, NvidiaSmiError> {
        text.parse().map_err(|_| {
            self.syntax(
                line,
                format!(
                    "{column}: expected a number, found `{}`",
                    reading::clip(text)
                ),
            )
        })
    }

    /// A GPU record: two rows, or three with `MIG M.`.
    fn gpu(&mut self, record: &[Row<'_>]) -> Result<TableGpu, NvidiaSmiError> {
        let (first, second, third) = match record {
            [first, second] => (first, second, None),
            [first, second, third] => (first, second, Some(third)),
            _ => {
                return Err(self.syntax(
                    record.first().map_or(0, |row| row.line),
                    format!(
                        "GPU record: expected 2 or 3 rows, found {}: truncated output?",
                        record.len()
                    ),
                ));
            }
        };
        let [name_cell, bus_cell, ecc_cell] = self.cells(first, "GPU row")?;
        let (index, rest) = first_word(name_cell);
        let index: u32 = self.id(first.line, "GPU", index)?;
        let (name, persistence) = rest.rsplit_once(char::is_whitespace).ok_or_else(|| {
            self.syntax(
                first.line,
                format!(
                    "GPU row: expected `<GPU> <Name> <Persistence-M>`, found `{}`",
                    reading::clip(name_cell)
                ),
            )
        })?;
        let (bus_id, display) = first_word(bus_cell);
        let labels = render_labels(Some(&index.to_string()), None);
        let labels = labels.as_str();
        let at = |line, column| At {
            line,
            column,
            labels,
        };
        let line = first.line;
        let persistence_mode = self.keep(
            at(line, "Persistence-M"),
            switch(persistence, ["On", "Off"]),
            None,
        );
        let display_active = self.keep(at(line, "Disp.A"), switch(display, ["On", "Off"]), None);
        let ecc = match ecc_cell {
            "On" | "Off" => Ok(None),
            text => count(text),
        };
        let uncorrected_ecc_errors = self.keep(at(line, "Volatile Uncorr. ECC"), ecc, None);

        let [sensors, memory, util_cell] = self.cells(second, "GPU row")?;
        let line = second.line;
        let (fan, rest) = first_word(sensors);
        let (temperature, rest) = first_word(rest);
        let (perf, power) = first_word(rest);
        if power.is_empty() {
            return Err(self.syntax(
                line,
                format!(
                    "GPU row: expected `<Fan> <Temp> <Perf> <Pwr:Usage/Cap>`, found `{}`",
                    reading::clip(sensors)
                ),
            ));
        }
        let fan_percent = self.keep(at(line, "Fan"), quantity(fan, "%", PERCENT), f64::NAN);
        let temperature_c = self.keep(
            at(line, "Temp"),
            quantity(temperature, "C", TEMPERATURE_C),
            f64::NAN,
        );
        let perf_state = value(perf)
            .map(|perf| {
                perf.strip_prefix('P')
                    .and_then(|state| state.parse::<u8>().ok())
                    .filter(|state| *state <= 15)
                    .ok_or_else(|| unreadable(perf))
            })
            .transpose();
        let perf_state = self.keep(at(line, "Perf"), perf_state, None);
        let (power_w, power_limit_w) = self.keep(
            at(line, "Pwr:Usage/Cap"),
            pair(power, "W", POWER_W),
            (f64::NAN, f64::NAN),
        );
        let (memory_used_mib, memory_total_mib) = self.keep(
            at(line, "Memory-Usage"),
            pair(memory, "MiB", MEMORY_MIB),
            (f64::NAN, f64::NAN),
        );
        let (util, compute_mode) = first_word(util_cell);
        let utilization = self.keep(
            at(line, "GPU-Util"),
            quantity(util, "%", PERCENT).map(|percent| percent / 100.0),
            f64::NAN,
        );
        let mig_enabled = match third {
            Some(row) => {
                let [_, _, mig_mode] = self.cells(row, "GPU row")?;
                self.keep(
                    at(row.line, "MIG M."),
                    switch(mig_mode, ["Enabled", "Disabled"]),
                    None,
                )
            }
            None => None,
        };
        Ok(TableGpu {
            reading: GpuReading {
                index: Some(index),
                model: Some(name.trim().to_owned()),
                utilization,
                memory_used_mib,
                memory_total_mib,
                temperature_c,
                power_w,
                power_limit_w,
                mig_enabled,
                ..GpuReading::default()
            },
            bus_id: bus_id.to_owned(),
            persistence_mode,
            display_active,
            uncorrected_ecc_errors,
            fan_percent,
            perf_state,
            compute_mode: value(compute_mode).map(str::to_owned),
        })
    }

    /// A MIG device record: memory row, then BAR1 row.
    fn mig_device(&mut self, record: &[Row<'_>]) -> Result<TableMigDevice, NvidiaSmiError> {
        let [first, second] = record else {
            return Err(self.syntax(
                record.first().map_or(0, |row| row.line),
                format!(
                    "MIG device record: expected 2 rows (memory, BAR1), found {}: \
                     truncated output?",
                    record.len()
                ),
            ));
        };
        let [ids, memory, sm_cell, _engines] = self.cells(first, "MIG device row")?;
        let words: Vec<&str> = ids.split_whitespace().collect();
        let [gpu, gi, ci, dev] = words[..] else {
            return Err(self.syntax(
                first.line,
                format!(
                    "MIG device row: expected `<GPU> <GI ID> <CI ID> <MIG Dev>`, found `{}`",
                    reading::clip(ids)
                ),
            ));
        };
        let line = first.line;
        let index: u32 = self.id(line, "GPU", gpu)?;
        let instance_id: u32 = self.id(line, "GI ID", gi)?;
        let compute_instance_id = self.id(line, "CI ID", ci)?;
        let device_index = self.id(line, "MIG Dev", dev)?;
        let labels = format!("{{index=\"{index}\",gpu_instance=\"{instance_id}\"}}");
        let labels = labels.as_str();
        let at = |line, column| At {
            line,
            column,
            labels,
        };
        let (memory_used_mib, memory_total_mib) = self.keep(
            at(line, "Shared Memory-Usage"),
            pair(memory, "MiB", MEMORY_MIB),
            (f64::NAN, f64::NAN),
        );
        let (sm, ecc) = first_word(sm_cell);
        let sm_count = self.keep(at(line, "SM"), count(sm), None);
        let uncorrected_ecc_errors = self.keep(at(line, "Vol Unc ECC"), count(ecc), None);
        let [_, bar1, _, _] = self.cells(second, "MIG device row")?;
        let (bar1_used_mib, bar1_total_mib) = self.keep(
            at(second.line, "Shared BAR1-Usage"),
            pair(bar1, "MiB", MEMORY_MIB),
            (f64::NAN, f64::NAN),
        );
        Ok(TableMigDevice {
            reading: GpuReading {
                index: Some(index),
                mig: Some(MigInstance {
                    instance_id,
                    profile: None,
                }),
                memory_used_mib,
                memory_total_mib,
                ..GpuReading::default()
            },
            compute_instance_id,
            device_index,
            sm_count,
            uncorrected_ecc_errors,
            bar1_used_mib,
            bar1_total_mib,
        })
    }

    /// `GPU GI CI PID Type Process-name GPU-Memory`; the name may hold spaces.
    fn process(&mut self, row: &Row<'_>) -> Result<TableProcess, NvidiaSmiError> {
        let line = row.line;
        let (gpu, rest) = first_word(row.inner);
        let (gi, rest) = first_word(rest);
        let (ci, rest) = first_word(rest);
        let (pid, rest) = first_word(rest);
        let (kind, rest) = first_word(rest);
        let Some((name, memory)) = rest.rsplit_once(char::is_whitespace) else {
            return Err(self.syntax(
                line,
                format!(
                    "process row: expected `<GPU> <GI> <CI> <PID> <Type> <Process name> \
                     <GPU Memory>`, found `{}`",
                    reading::clip(row.inner.trim())
                ),
            ));
        };
        let instance = |column: &str, text: &str| match value(text) {
            None => Ok(None),
            Some(text) => self.id(line, column, text).map(Some),
        };
        let gpu_instance_id = instance("GI ID", gi)?;
        let compute_instance_id = instance("CI ID", ci)?;
        let gpu_index: u32 = self.id(line, "GPU", gpu)?;
        let pid: u32 = self.id(line, "PID", pid)?;
        let labels = format!("{{index=\"{gpu_index}\",pid=\"{pid}\"}}");
        let memory_used_mib = self.keep(
            At {
                line,
                column: "GPU Memory Usage",
                labels: &labels,
            },
            quantity(memory, "MiB", MEMORY_MIB),
            f64::NAN,
        );
        Ok(TableProcess {
            gpu_index,
            gpu_instance_id,
            compute_instance_id,
            pid,
            kind: kind.to_owned(),
            name: name.trim().to_owned(),
            memory_used_mib,
        })
    }
}

#[cfg(test)]
mod tests;
