//! [`GpuReading`]: what one GPU or one MIG instance reported, in fixed units
//! whichever source it came from; the physical ranges a value must fall in to
//! be believed; the [`FieldWarning`] a parser returns when it drops a value;
//! and the rule that turns the last XID into a [`Health`].
//!
//! A value that is missing (not reported, unsupported, a DCGM sentinel, `NaN`)
//! or rejected is `NaN` in an `f64` field and `None` in an `Option` field, the
//! same convention as [`crate::model::GpuSample`].

use std::fmt;

use crate::model::Health;

/// One GPU's or one MIG GPU instance's readings, normalised. (Not
/// `PartialEq`: a missing value is `NaN`, which equals nothing.)
#[derive(Debug, Clone)]
pub struct GpuReading {
    /// Device index on the node (DCGM `gpu` label, nvidia-smi `index`). It can
    /// change between boots; [`uuid`](Self::uuid) does not. For a MIG
    /// instance, the parent GPU's index.
    pub index: Option<u32>,
    /// Device UUID (`GPU-…`), the stable key. For a MIG instance, the parent
    /// GPU's UUID.
    pub uuid: Option<String>,
    /// Model name (`NVIDIA H100 80GB HBM3`).
    pub model: Option<String>,
    /// Set when this reading is for a MIG GPU instance rather than a whole GPU.
    pub mig: Option<MigInstance>,
    /// Compute busy ratio, 0..=1: DCGM graphics-engine activity, or for a
    /// whole GPU without it, utilisation percent / 100.
    pub utilization: f64,
    /// Tensor-pipe activity ratio, 0..=1.
    pub tensor_activity: f64,
    /// Device-memory interface activity ratio, 0..=1.
    pub dram_activity: f64,
    /// Framebuffer memory in use, MiB.
    pub memory_used_mib: f64,
    /// Framebuffer memory free, MiB.
    pub memory_free_mib: f64,
    /// Framebuffer memory reserved by the driver (neither used nor free), MiB.
    pub memory_reserved_mib: f64,
    /// Framebuffer memory in total, MiB: as reported, or used + free +
    /// reserved (reserved counted as 0 when not reported).
    pub memory_total_mib: f64,
    /// GPU temperature, °C.
    pub temperature_c: f64,
    /// Power draw, W.
    pub power_w: f64,
    /// Power limit in force, W.
    pub power_limit_w: f64,
    /// SM clock, MHz.
    pub sm_clock_mhz: f64,
    /// Memory clock, MHz.
    pub memory_clock_mhz: f64,
    /// Active clock-throttle ("clock event") reasons, NVML's bitmask.
    pub throttle_reasons: Option<u64>,
    /// The last XID the GPU reported; `Some(0)` when none, `None` when the
    /// source does not report XIDs.
    pub last_xid: Option<u32>,
    /// Whether MIG mode is enabled on a whole GPU, when the source says.
    pub mig_enabled: Option<bool>,
}

/// Which MIG GPU instance a [`GpuReading`] is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MigInstance {
    /// GPU instance id (`GPU_I_ID`), unique within the parent GPU.
    pub instance_id: u32,
    /// Profile name (`1g.10gb`).
    pub profile: Option<String>,
}

impl Default for GpuReading {
    /// A reading with nothing reported.
    fn default() -> Self {
        GpuReading {
            index: None,
            uuid: None,
            model: None,
            mig: None,
            utilization: f64::NAN,
            tensor_activity: f64::NAN,
            dram_activity: f64::NAN,
            memory_used_mib: f64::NAN,
            memory_free_mib: f64::NAN,
            memory_reserved_mib: f64::NAN,
            memory_total_mib: f64::NAN,
            temperature_c: f64::NAN,
            power_w: f64::NAN,
            power_limit_w: f64::NAN,
            sm_clock_mhz: f64::NAN,
            memory_clock_mhz: f64::NAN,
            throttle_reasons: None,
            last_xid: None,
            mig_enabled: None,
        }
    }
}

/// NVML clock-event reasons that mean power or thermal throttling:
/// SW power cap (0x04), HW slowdown (0x08), SW thermal (0x20), HW thermal
/// (0x40) and HW power brake (0x80). Idle (0x01), application clocks (0x02),
/// sync boost (0x10) and display clocks (0x100) are not throttling.
const THROTTLE_POWER_OR_THERMAL: u64 = 0x04 | 0x08 | 0x20 | 0x40 | 0x80;

/// XIDs after which a GPU cannot be trusted with new work until it is reset,
/// the node rebooted or the board serviced, chosen from NVIDIA's XID catalogue
/// ("Resolution Bucket (Immediate Action)"):
///
/// - 48: double-bit ECC error;
/// - 62: internal micro-controller halt;
/// - 63: ECC page retirement or row-remap recording event (the remap takes
///   effect only after a GPU reset);
/// - 64: ECC page retirement or row-remap recording failure;
/// - 74: NVLink error;
/// - 79: GPU has fallen off the bus;
/// - 94: contained ECC error (the row is remapped at the next reset);
/// - 95: uncontained ECC error;
/// - 119, 120: GSP RPC timeout, GSP error;
/// - 140: unrecovered ECC error;
/// - 154: GPU recovery action changed (the driver asks for a reset or reboot).
///
/// Every other nonzero XID (13 graphics exception, 31 page fault, 43 GPU
/// stopped processing, 45 preemptive cleanup, 92 high single-bit ECC rate, …)
/// is an application fault or a warning that leaves the GPU usable: Degraded.
const FATAL_XIDS: &[u32] = &[48, 62, 63, 64, 74, 79, 94, 95, 119, 120, 140, 154];

impl GpuReading {
    /// Health judged from the last XID: a fatal XID (one after which the GPU
    /// needs a reset, reboot or service: 48, 62, 63, 64, 74, 79, 94, 95, 119,
    /// 120, 140, 154) is Unhealthy, any other nonzero XID Degraded, none (or
    /// not reported) Healthy.
    pub fn health(&self) -> Health {
        match self.last_xid {
            None | Some(0) => Health::Healthy,
            Some(xid) if FATAL_XIDS.contains(&xid) => Health::Unhealthy,
            Some(_) => Health::Degraded,
        }
    }

    /// Whether the GPU is clock-throttled for power or thermal reasons.
    pub fn throttled(&self) -> bool {
        self.throttle_reasons
            .is_some_and(|reasons| reasons & THROTTLE_POWER_OR_THERMAL != 0)
    }

    /// Fill [`memory_total_mib`](Self::memory_total_mib) from used + free (+
    /// reserved) when the source did not report a total.
    pub(crate) fn complete_memory_total(&mut self) {
        if self.memory_total_mib.is_nan()
            && !self.memory_used_mib.is_nan()
            && !self.memory_free_mib.is_nan()
        {
            let reserved = if self.memory_reserved_mib.is_nan() {
                0.0
            } else {
                self.memory_reserved_mib
            };
            self.memory_total_mib = self.memory_used_mib + self.memory_free_mib + reserved;
        }
    }
}

/// The physical range a quantity must fall in to be believed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Range {
    min: f64,
    max: f64,
    unit: &'static str,
}

/// Activity ratios (DCGM `PROF_*`).
pub(crate) const RATIO: Range = Range {
    min: 0.0,
    max: 1.0,
    unit: "ratio",
};
/// Utilisation percentages (DCGM `DEV_*_UTIL`, nvidia-smi `utilization.*`).
pub(crate) const PERCENT: Range = Range {
    min: 0.0,
    max: 100.0,
    unit: "%",
};
/// Framebuffer sizes; the largest boards today have under 300 GiB.
pub(crate) const MEMORY_MIB: Range = Range {
    min: 0.0,
    max: 4.0 * 1024.0 * 1024.0,
    unit: "MiB",
};
/// GPU die temperature.
pub(crate) const TEMPERATURE_C: Range = Range {
    min: -40.0,
    max: 150.0,
    unit: "°C",
};
/// Board power draw and limits; superchip modules stay under 3 kW.
pub(crate) const POWER_W: Range = Range {
    min: 0.0,
    max: 5_000.0,
    unit: "W",
};
/// Clock frequencies.
pub(crate) const CLOCK_MHZ: Range = Range {
    min: 0.0,
    max: 10_000.0,
    unit: "MHz",
};

impl Range {
    /// `value` if it lies in the range; `NaN` (missing) passes through.
    pub(crate) fn check(self, value: f64) -> Result<f64, RejectReason> {
        if value.is_nan() || (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(RejectReason::OutOfRange {
                value,
                min: self.min,
                max: self.max,
                unit: self.unit,
            })
        }
    }
}

/// `value` as a whole number in `0..=max`, for codes and bitmasks.
pub(crate) fn whole(value: f64, max: u64) -> Result<u64, RejectReason> {
    // `max` is at most 2^53 here, so the comparison in f64 is exact.
    if value.fract() == 0.0 && (0.0..=max as f64).contains(&value) {
        Ok(value as u64)
    } else {
        Err(RejectReason::NotWhole { value, max })
    }
}

/// A value a parser dropped while keeping the rest of the input; the reading's
/// field stays missing.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldWarning {
    /// Where the input came from: the scrape URL or the file, as the caller named it.
    pub source_name: String,
    /// 1-based line of the input.
    pub line: usize,
    /// The DCGM field (`DCGM_FI_DEV_GPU_TEMP`) or nvidia-smi column (`temperature.gpu`).
    pub metric: String,
    /// The identifying labels of the series or row, as `{gpu="0",UUID="GPU-…"}`.
    pub labels: String,
    /// Why the value was dropped.
    pub reason: RejectReason,
}

/// Why a [`FieldWarning`] dropped a value.
#[derive(Debug, Clone, PartialEq)]
pub enum RejectReason {
    /// Outside the physical range of the quantity.
    OutOfRange {
        value: f64,
        min: f64,
        max: f64,
        unit: &'static str,
    },
    /// A code or bitmask that is not a whole number in `0..=max`.
    NotWhole { value: f64, max: u64 },
    /// Text that is not a value of the expected kind (shortened).
    Unreadable { text: String },
    /// No GPU identity (neither UUID nor index), so it cannot be attributed.
    Unattributed,
    /// An identifying label that does not parse (value shortened).
    BadLabel { label: String, value: String },
    /// The same series (or column) appeared before; the first value was kept.
    Duplicate,
}

impl fmt::Display for FieldWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let FieldWarning {
            source_name,
            line,
            metric,
            labels,
            reason,
        } = self;
        write!(f, "{source_name}:{line}: {metric}{labels}: {reason}")
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RejectReason::OutOfRange {
                value,
                min,
                max,
                unit,
            } => write!(
                f,
                "value {value} is outside the physical range {min}..={max} {unit}; dropped"
            ),
            RejectReason::NotWhole { value, max } => {
                write!(
                    f,
                    "value {value} is not a whole number in 0..={max}; dropped"
                )
            }
            RejectReason::Unreadable { text } => write!(f, "cannot read `{text}`; dropped"),
            RejectReason::Unattributed => {
                write!(f, "no GPU UUID or index to attribute it to; dropped")
            }
            RejectReason::BadLabel { label, value } => {
                write!(
                    f,
                    "label {label}=\"{value}\" does not parse; series dropped"
                )
            }
            RejectReason::Duplicate => write!(f, "repeated; the first value was kept"),
        }
    }
}

/// Longest piece of input text a warning quotes.
const QUOTE_MAX_CHARS: usize = 64;

/// `text` shortened for quoting in a warning or error.
pub(crate) fn clip(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_xid(xid: Option<u32>) -> GpuReading {
        GpuReading {
            last_xid: xid,
            ..GpuReading::default()
        }
    }

    #[test]
    fn fatal_xids_are_unhealthy_others_degraded() {
        assert_eq!(with_xid(None).health(), Health::Healthy);
        assert_eq!(with_xid(Some(0)).health(), Health::Healthy);
        for xid in [48, 63, 64, 74, 79, 94, 95, 154] {
            assert_eq!(with_xid(Some(xid)).health(), Health::Unhealthy, "xid {xid}");
        }
        for xid in [13, 31, 43, 45, 92] {
            assert_eq!(with_xid(Some(xid)).health(), Health::Degraded, "xid {xid}");
        }
    }

    #[test]
    fn only_power_and_thermal_reasons_count_as_throttled() {
        let with = |reasons| GpuReading {
            throttle_reasons: reasons,
            ..GpuReading::default()
        };
        assert!(!with(None).throttled());
        assert!(!with(Some(0x1)).throttled(), "idle");
        assert!(!with(Some(0x2 | 0x10 | 0x100)).throttled());
        assert!(with(Some(0x4)).throttled(), "sw power cap");
        assert!(with(Some(0x40 | 0x1)).throttled(), "hw thermal");
    }

    #[test]
    fn total_is_used_plus_free_plus_reserved_unless_reported() {
        let mut reading = GpuReading {
            memory_used_mib: 10.0,
            memory_free_mib: 20.0,
            ..GpuReading::default()
        };
        reading.complete_memory_total();
        assert_eq!(reading.memory_total_mib, 30.0);

        reading.memory_total_mib = f64::NAN;
        reading.memory_reserved_mib = 5.0;
        reading.complete_memory_total();
        assert_eq!(reading.memory_total_mib, 35.0);

        reading.memory_total_mib = 40.0;
        reading.complete_memory_total();
        assert_eq!(reading.memory_total_mib, 40.0);
    }

    #[test]
    fn ranges_reject_out_of_range_and_pass_nan() {
        assert_eq!(RATIO.check(0.5), Ok(0.5));
        assert!(RATIO.check(5.0).is_err());
        assert!(RATIO.check(f64::INFINITY).is_err());
        assert!(RATIO.check(f64::NAN).is_ok_and(f64::is_nan));
        assert!(MEMORY_MIB.check(-1.0).is_err());
        assert!(TEMPERATURE_C.check(10_000.0).is_err());
        assert_eq!(whole(79.0, u32::MAX.into()), Ok(79));
        assert!(whole(79.5, u32::MAX.into()).is_err());
        assert!(whole(-1.0, u32::MAX.into()).is_err());
    }

    #[test]
    fn warnings_name_source_line_metric_labels_and_reason() {
        let warning = FieldWarning {
            source_name: "http://gpu-1:9400/metrics".into(),
            line: 7,
            metric: "DCGM_FI_PROF_GR_ENGINE_ACTIVE".into(),
            labels: r#"{gpu="0"}"#.into(),
            reason: RATIO.check(5.0).unwrap_err(),
        };
        assert_eq!(
            warning.to_string(),
            "http://gpu-1:9400/metrics:7: DCGM_FI_PROF_GR_ENGINE_ACTIVE{gpu=\"0\"}: \
             value 5 is outside the physical range 0..=1 ratio; dropped"
        );
        assert_eq!(clip(&"x".repeat(100)).chars().count(), QUOTE_MAX_CHARS + 1);
    }
}
