//! DCGM exporter scrapes (`/metrics`, Prometheus text format) into
//! [`GpuReading`]s: one per whole GPU and one per MIG GPU instance.
//!
//! - `exposition.rs` reads the text format into samples, enforcing the limits;
//! - `label_sets.rs` keeps the label sets read, so a repeated one is not
//!   parsed again;
//! - this file maps DCGM fields to readings, normalising units;
//! - `scrape.rs` fetches an exporter's `/metrics` over HTTP and parses it;
//! - `tests.rs` checks the recorded scrapes in `tests/fixtures/dcgm/` and
//!   hostile input.
//!
//! # Fields read
//!
//! | DCGM field | reading | unit |
//! |---|---|---|
//! | `DCGM_FI_PROF_GR_ENGINE_ACTIVE` | `utilization` | ratio 0..=1 |
//! | `DCGM_FI_DEV_GPU_UTIL` | `utilization` (÷ 100), whole GPUs only, when the above gives nothing | % |
//! | `DCGM_FI_PROF_PIPE_TENSOR_ACTIVE` | `tensor_activity` | ratio |
//! | `DCGM_FI_PROF_DRAM_ACTIVE` | `dram_activity` | ratio |
//! | `DCGM_FI_DEV_FB_USED` / `_FREE` / `_RESERVED` / `_TOTAL` | `memory_*_mib`; total = used + free + reserved unless `_TOTAL` is present | MiB |
//! | `DCGM_FI_DEV_GPU_TEMP` | `temperature_c` | °C |
//! | `DCGM_FI_DEV_POWER_USAGE`, `DCGM_FI_DEV_POWER_MGMT_LIMIT` | `power_w`, `power_limit_w` | W |
//! | `DCGM_FI_DEV_SM_CLOCK`, `DCGM_FI_DEV_MEM_CLOCK` | `sm_clock_mhz`, `memory_clock_mhz` | MHz |
//! | `DCGM_FI_DEV_XID_ERRORS` | `last_xid` (the value of the last XID, not a count) | code |
//! | `DCGM_FI_DEV_CLOCK_THROTTLE_REASONS`, `DCGM_FI_DEV_CLOCKS_EVENT_REASONS` | `throttle_reasons` | NVML bitmask |
//!
//! Other fields are read (so the whole scrape is checked) and ignored.
//!
//! # Labels
//!
//! A whole-GPU series is keyed by `UUID` (or `uuid`, written by
//! `--use-old-namespace`), else by the `gpu` index; a MIG series, one with
//! `GPU_I_ID`, by its parent's key and `GPU_I_ID`, with the profile from
//! `GPU_I_PROFILE`. `modelName` gives the model. The host name is read from
//! `Hostname` (every release up to 4.8) or `hostname` (later), the driver
//! version from `DCGM_FI_DRIVER_VERSION`. Label order does not matter.
//!
//! # Bad input: what is rejected
//!
//! The whole scrape is rejected with a [`DcgmError`] when it is not the text
//! format (a truncated line, garbage, an HTML error page) or exceeds a limit:
//! [`MAX_SCRAPE_BYTES`], [`MAX_SERIES`], [`MAX_LABELS_PER_SERIES`],
//! [`MAX_LABEL_VALUE_BYTES`], [`MAX_NAME_BYTES`]. Nothing of such a scrape
//! is trusted.
//!
//! Otherwise one bad series costs only its own value, reported as a
//! [`FieldWarning`] in [`DcgmScrape::warnings`]: a value outside the physical
//! range of its quantity (utilisation 5.0, negative memory, 10 000 °C), an XID
//! that is not a whole number, a series of a field read here that has no GPU
//! identity or an unparsable `gpu`/`GPU_I_ID`, or the same series twice.
//! Warnings are bounded by [`MAX_SERIES`].
//!
//! Missing values are not warnings: `NaN` and DCGM's sentinel values leave
//! the field missing. Sentinels ("blank", "not found", "not supported", "not
//! permissioned", which exporters before 2022 rendered instead of dropping)
//! are the int32 values 2147483632..=2147483635, the int64 values
//! 0x7FFFFFFFFFFFFFF0..=0x7FFFFFFFFFFFFFF3 (all 2^63 once read as `f64`) and
//! the fp64 values 2^47..=2^47+3.
//!
//! # Why the text format is read here rather than by a crate
//!
//! `exposition.rs` is a small line reader written for this. Measured against
//! `prometheus-parse` 0.2.5, the most used parse-only crate, on 1,000
//! simulated nodes × 8 GPUs (24.6 MB, 104,000 series, release build): the
//! crate took 545–630 ms where this reader then took 38–53 ms (it now
//! reads the fleet's 21.3 MB in about 11 ms): ten times one cycle's 50 ms
//! budget on its own, because the crate matches each line with
//! regexes and copies every name and label into a `HashMap` of `String`s.
//! It also reads wrongly what a scrape must reject or keep: it splits label
//! values at `,` and `=` (`a="x,y"` reads as `a="x"`), drops a label set with
//! an escaped quote, and skips lines it cannot read (garbage, a truncated
//! line) without an error, so an HTML error page parses as an empty scrape.
//! `prometheus-client` only writes the format.

mod exposition;
mod label_sets;
mod scrape;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};

pub use self::scrape::{ScrapeError, scrape};

pub(in crate::sources) use self::exposition::Sample;

use self::exposition::{Problem, ProblemKind};
use super::reading::{
    self, CLOCK_MHZ, FieldWarning, GpuReading, MEMORY_MIB, MigInstance, PERCENT, POWER_W, RATIO,
    RejectReason, TEMPERATURE_C,
};

/// Largest scrape read, bytes. A node with 8 GPUs under MIG and every default
/// field renders well under 1 MiB.
pub const MAX_SCRAPE_BYTES: usize = 16 * 1024 * 1024;
/// Most sample lines in one scrape. 8 GPUs × 8 entities × 100 fields is 6 400.
pub const MAX_SERIES: usize = 50_000;
/// Most labels on one series. Exporters write 5 to 15.
pub const MAX_LABELS_PER_SERIES: usize = 64;
/// Longest label value, bytes, as written (before unescaping).
pub const MAX_LABEL_VALUE_BYTES: usize = 1024;
/// Longest metric or label name, bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// What one scrape said.
#[derive(Debug, Clone)]
pub struct DcgmScrape {
    /// Whole GPUs, ordered by index, then UUID.
    pub gpus: Vec<GpuReading>,
    /// MIG GPU instances (each with [`GpuReading::mig`] set), ordered by
    /// parent index, parent UUID, then instance id.
    pub mig_instances: Vec<GpuReading>,
    /// Host names seen in `Hostname`/`hostname` labels, sorted; normally one.
    pub hostnames: Vec<String>,
    /// Driver versions seen in `DCGM_FI_DRIVER_VERSION` labels, sorted;
    /// normally one, none when the exporter does not export that label.
    pub driver_versions: Vec<String>,
    /// Values dropped from otherwise good input, in input order.
    pub warnings: Vec<FieldWarning>,
}

/// A scrape rejected as a whole.
#[derive(Debug, thiserror::Error)]
pub enum DcgmError {
    /// Larger than [`MAX_SCRAPE_BYTES`].
    #[error("{source_name}: scrape is {bytes} bytes, more than the {max} allowed")]
    TooLarge {
        source_name: String,
        bytes: usize,
        max: usize,
    },
    /// Not the Prometheus text format.
    #[error("{source_name}:{line}: {}{reason}; scrape rejected", metric_prefix(.metric))]
    Syntax {
        source_name: String,
        line: usize,
        metric: Option<String>,
        reason: String,
    },
    /// Over one of the limits.
    #[error("{source_name}:{line}: {}more than {max} {what}; scrape rejected", metric_prefix(.metric))]
    Limit {
        source_name: String,
        line: usize,
        metric: Option<String>,
        what: &'static str,
        max: usize,
    },
}

fn metric_prefix(metric: &Option<String>) -> String {
    metric
        .as_deref()
        .map_or_else(String::new, |metric| format!("{metric}: "))
}

/// Parse one DCGM exporter scrape. `source_name` (the scrape URL, or the file
/// it was read from) appears in every error and warning.
pub fn parse_scrape(source_name: &str, text: &str) -> Result<DcgmScrape, DcgmError> {
    if text.len() > MAX_SCRAPE_BYTES {
        return Err(DcgmError::TooLarge {
            source_name: source_name.to_owned(),
            bytes: text.len(),
            max: MAX_SCRAPE_BYTES,
        });
    }
    let mut scrape = Assembly::new(source_name);
    let mut samples = exposition::samples(text);
    let mut labels = Vec::new();
    while let Some(sample) = samples.next_into(labels) {
        let sample = sample.map_err(|problem| reject(source_name, problem))?;
        scrape.add(&sample);
        labels = sample.labels;
    }
    Ok(scrape.finish())
}

fn reject(source_name: &str, problem: Problem) -> DcgmError {
    let Problem { line, metric, kind } = problem;
    let source_name = source_name.to_owned();
    match kind {
        ProblemKind::Syntax(reason) => DcgmError::Syntax {
            source_name,
            line,
            metric,
            reason,
        },
        ProblemKind::Limit { what, max } => DcgmError::Limit {
            source_name,
            line,
            metric,
            what,
            max,
        },
    }
}

/// The DCGM fields read.
#[derive(Debug, Clone, Copy)]
enum Field {
    GrEngineActive,
    GpuUtil,
    TensorActive,
    DramActive,
    FbUsed,
    FbFree,
    FbReserved,
    FbTotal,
    GpuTemp,
    PowerUsage,
    PowerLimit,
    SmClock,
    MemClock,
    Xid,
    ThrottleReasons,
}

impl Field {
    fn of(metric: &str) -> Option<Field> {
        Some(match metric {
            "DCGM_FI_PROF_GR_ENGINE_ACTIVE" => Field::GrEngineActive,
            "DCGM_FI_DEV_GPU_UTIL" => Field::GpuUtil,
            "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE" => Field::TensorActive,
            "DCGM_FI_PROF_DRAM_ACTIVE" => Field::DramActive,
            "DCGM_FI_DEV_FB_USED" => Field::FbUsed,
            "DCGM_FI_DEV_FB_FREE" => Field::FbFree,
            "DCGM_FI_DEV_FB_RESERVED" => Field::FbReserved,
            "DCGM_FI_DEV_FB_TOTAL" => Field::FbTotal,
            "DCGM_FI_DEV_GPU_TEMP" => Field::GpuTemp,
            "DCGM_FI_DEV_POWER_USAGE" => Field::PowerUsage,
            "DCGM_FI_DEV_POWER_MGMT_LIMIT" => Field::PowerLimit,
            "DCGM_FI_DEV_SM_CLOCK" => Field::SmClock,
            "DCGM_FI_DEV_MEM_CLOCK" => Field::MemClock,
            "DCGM_FI_DEV_XID_ERRORS" => Field::Xid,
            "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS" | "DCGM_FI_DEV_CLOCKS_EVENT_REASONS" => {
                Field::ThrottleReasons
            }
            _ => return None,
        })
    }

    /// This field's bit in [`Entity::seen`].
    fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// Largest throttle-reason bitmask accepted: every integer up to here is exact in f64.
const MAX_BITMASK: u64 = 1 << 53;

/// 2^47, DCGM's fp64 "blank"; the next three values are its other sentinels.
const FP64_BLANK: f64 = 140_737_488_355_328.0;
/// 2^63: what each of DCGM's int64 sentinels becomes when read as `f64`.
const INT64_BLANK_AS_F64: f64 = 9_223_372_036_854_775_808.0;

/// Whether `value` is one of DCGM's "no value" sentinels (module docs).
fn is_sentinel(value: f64) -> bool {
    (2_147_483_632.0..=2_147_483_635.0).contains(&value)
        || (FP64_BLANK..=FP64_BLANK + 3.0).contains(&value)
        || value == INT64_BLANK_AS_F64
}

/// How a series names its GPU.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GpuKey {
    Uuid(String),
    Index(u32),
}

/// A [`GpuKey`] borrowed from a series' labels.
#[derive(Clone, Copy)]
enum GpuRef<'s> {
    Uuid(&'s str),
    Index(u32),
}

/// One GPU or MIG instance being assembled.
struct Entity {
    reading: GpuReading,
    /// Fields already seen, one bit per [`Field`].
    seen: u32,
    /// `DCGM_FI_DEV_GPU_UTIL` as a ratio, the fallback for `utilization`.
    gpu_util: f64,
}

impl Entity {
    /// Whether this is the whole GPU `key` names: one made for a UUID has
    /// it; one made for an index has no UUID and that index.
    fn is(&self, key: GpuRef<'_>) -> bool {
        match key {
            GpuRef::Uuid(uuid) => self.reading.uuid.as_deref() == Some(uuid),
            GpuRef::Index(index) => {
                self.reading.uuid.is_none() && self.reading.index == Some(index)
            }
        }
    }
}

/// The labels that say which GPU a series is about and where it came from.
#[derive(Default)]
struct Identity<'s> {
    gpu: Option<&'s str>,
    uuid: Option<&'s str>,
    instance_id: Option<&'s str>,
    profile: Option<&'s str>,
    model: Option<&'s str>,
    hostname: Option<&'s str>,
    driver_version: Option<&'s str>,
}

impl<'s> Identity<'s> {
    fn of(sample: &'s Sample<'_>) -> Self {
        let mut id = Identity::default();
        for (name, value) in &sample.labels {
            let value = Some(value.as_ref());
            match *name {
                "gpu" => id.gpu = value,
                "UUID" | "uuid" => id.uuid = value,
                "GPU_I_ID" => id.instance_id = value,
                "GPU_I_PROFILE" => id.profile = value,
                "modelName" => id.model = value,
                "Hostname" | "hostname" => id.hostname = value,
                "DCGM_FI_DRIVER_VERSION" => id.driver_version = value,
                _ => {}
            }
        }
        id
    }

    /// The identifying labels, for warnings.
    fn render(&self) -> String {
        let shown = [
            ("gpu", self.gpu),
            ("UUID", self.uuid),
            ("GPU_I_PROFILE", self.profile),
            ("GPU_I_ID", self.instance_id),
        ];
        let parts: Vec<String> = shown
            .into_iter()
            .filter_map(|(name, value)| {
                value.map(|value| format!("{name}=\"{}\"", reading::clip(value)))
            })
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", parts.join(","))
        }
    }
}

/// Readings assembled from one scrape's samples (or, for the Prometheus
/// source, from the series of one node across its query results).
pub(in crate::sources) struct Assembly<'s> {
    source_name: &'s str,
    /// Whole GPUs, in order of first appearance; found through `by_uuid`
    /// or `by_index` (looked up by `&str`, so a series costs no allocation).
    gpus: Vec<Entity>,
    /// The slot after the whole GPU last found.
    next_gpu: usize,
    by_uuid: HashMap<String, usize>,
    by_index: HashMap<u32, usize>,
    mig_instances: HashMap<(GpuKey, u32), Entity>,
    hostnames: BTreeSet<String>,
    driver_versions: BTreeSet<String>,
    warnings: Vec<FieldWarning>,
}

impl<'s> Assembly<'s> {
    pub(in crate::sources) fn new(source_name: &'s str) -> Self {
        Assembly {
            source_name,
            gpus: Vec::new(),
            next_gpu: 0,
            by_uuid: HashMap::new(),
            by_index: HashMap::new(),
            mig_instances: HashMap::new(),
            hostnames: BTreeSet::new(),
            driver_versions: BTreeSet::new(),
            warnings: Vec::new(),
        }
    }

    pub(in crate::sources) fn add(&mut self, sample: &Sample<'_>) {
        let id = Identity::of(sample);
        remember(&mut self.hostnames, id.hostname);
        remember(&mut self.driver_versions, id.driver_version);
        let Some(field) = Field::of(sample.name) else {
            return;
        };
        let warn = |reason| FieldWarning {
            source_name: self.source_name.to_owned(),
            line: sample.line,
            metric: sample.name.to_owned(),
            labels: id.render(),
            reason,
        };

        let index = match id.gpu.map(str::parse::<u32>) {
            None => None,
            Some(Ok(index)) => Some(index),
            Some(Err(_)) => {
                self.warnings.push(warn(bad_label("gpu", id.gpu)));
                return;
            }
        };
        let key = match (id.uuid, index) {
            (Some(uuid), _) => GpuRef::Uuid(uuid),
            (None, Some(index)) => GpuRef::Index(index),
            (None, None) => {
                self.warnings.push(warn(RejectReason::Unattributed));
                return;
            }
        };
        let instance_id = match id.instance_id.map(str::parse::<u32>) {
            None => None,
            Some(Ok(instance_id)) => Some(instance_id),
            Some(Err(_)) => {
                self.warnings
                    .push(warn(bad_label("GPU_I_ID", id.instance_id)));
                return;
            }
        };

        let new_entity = || Entity {
            reading: GpuReading {
                uuid: id.uuid.map(str::to_owned),
                mig: instance_id.map(|instance_id| MigInstance {
                    instance_id,
                    profile: id.profile.map(str::to_owned),
                }),
                ..GpuReading::default()
            },
            seen: 0,
            gpu_util: f64::NAN,
        };
        let entity = match instance_id {
            None => {
                let slot = self.find_gpu(key).unwrap_or_else(|| {
                    self.gpus.push(new_entity());
                    let slot = self.gpus.len() - 1;
                    match key {
                        GpuRef::Uuid(uuid) => self.by_uuid.insert(uuid.to_owned(), slot),
                        GpuRef::Index(index) => self.by_index.insert(index, slot),
                    };
                    slot
                });
                self.next_gpu = slot + 1;
                &mut self.gpus[slot]
            }
            Some(instance_id) => {
                let parent = match key {
                    GpuRef::Uuid(uuid) => GpuKey::Uuid(uuid.to_owned()),
                    GpuRef::Index(index) => GpuKey::Index(index),
                };
                self.mig_instances
                    .entry((parent, instance_id))
                    .or_insert_with(new_entity)
            }
        };
        // Index and model come from the first series that has them.
        if entity.reading.index.is_none() {
            entity.reading.index = index;
        }
        if entity.reading.model.is_none() {
            entity.reading.model = id.model.map(str::to_owned);
        }
        if entity.seen & field.bit() != 0 {
            self.warnings.push(warn(RejectReason::Duplicate));
            return;
        }
        entity.seen |= field.bit();
        if sample.value.is_nan() || is_sentinel(sample.value) {
            return;
        }
        if let Err(reason) = store(entity, field, sample.value) {
            self.warnings.push(warn(reason));
        }
    }

    /// The slot of the whole GPU `key` names, if it has one. Exporters
    /// write the GPUs in the same order for every field, so the GPU after the
    /// last one found is tried before the maps.
    fn find_gpu(&self, key: GpuRef<'_>) -> Option<usize> {
        let next = if self.next_gpu < self.gpus.len() {
            self.next_gpu
        } else {
            0
        };
        if self.gpus.get(next).is_some_and(|entity| entity.is(key)) {
            return Some(next);
        }
        match key {
            GpuRef::Uuid(uuid) => self.by_uuid.get(uuid),
            GpuRef::Index(index) => self.by_index.get(&index),
        }
        .copied()
    }

    pub(in crate::sources) fn finish(self) -> DcgmScrape {
        let Assembly {
            source_name: _,
            mut gpus,
            next_gpu: _,
            by_uuid,
            by_index,
            mig_instances,
            hostnames,
            driver_versions,
            warnings,
        } = self;

        let mut mig_readings = Vec::with_capacity(mig_instances.len());
        for ((parent, _), mut entity) in mig_instances {
            let slot = match &parent {
                GpuKey::Uuid(uuid) => by_uuid.get(uuid),
                GpuKey::Index(index) => by_index.get(index),
            };
            if let Some(&slot) = slot {
                gpus[slot].reading.mig_enabled = Some(true);
            }
            entity.reading.complete_memory_total();
            mig_readings.push(entity.reading);
        }
        let mut gpu_readings: Vec<GpuReading> = gpus
            .into_iter()
            .map(|mut entity| {
                if entity.reading.utilization.is_nan() {
                    entity.reading.utilization = entity.gpu_util;
                }
                entity.reading.complete_memory_total();
                entity.reading
            })
            .collect();

        gpu_readings.sort_by(|a, b| (a.index, &a.uuid).cmp(&(b.index, &b.uuid)));
        mig_readings.sort_by(|a, b| (a.index, &a.uuid, &a.mig).cmp(&(b.index, &b.uuid, &b.mig)));
        DcgmScrape {
            gpus: gpu_readings,
            mig_instances: mig_readings,
            hostnames: hostnames.into_iter().collect(),
            driver_versions: driver_versions.into_iter().collect(),
            warnings,
        }
    }
}

/// Store a present value of `field`, checked against its physical range.
fn store(entity: &mut Entity, field: Field, value: f64) -> Result<(), RejectReason> {
    let reading = &mut entity.reading;
    match field {
        Field::GrEngineActive => reading.utilization = RATIO.check(value)?,
        // Not supported for MIG instances (it reads 0 there): whole GPUs only.
        Field::GpuUtil if reading.mig.is_none() => entity.gpu_util = PERCENT.check(value)? / 100.0,
        Field::GpuUtil => {}
        Field::TensorActive => reading.tensor_activity = RATIO.check(value)?,
        Field::DramActive => reading.dram_activity = RATIO.check(value)?,
        Field::FbUsed => reading.memory_used_mib = MEMORY_MIB.check(value)?,
        Field::FbFree => reading.memory_free_mib = MEMORY_MIB.check(value)?,
        Field::FbReserved => reading.memory_reserved_mib = MEMORY_MIB.check(value)?,
        Field::FbTotal => reading.memory_total_mib = MEMORY_MIB.check(value)?,
        Field::GpuTemp => reading.temperature_c = TEMPERATURE_C.check(value)?,
        Field::PowerUsage => reading.power_w = POWER_W.check(value)?,
        Field::PowerLimit => reading.power_limit_w = POWER_W.check(value)?,
        Field::SmClock => reading.sm_clock_mhz = CLOCK_MHZ.check(value)?,
        Field::MemClock => reading.memory_clock_mhz = CLOCK_MHZ.check(value)?,
        Field::Xid => {
            let xid = reading::whole(value, u32::MAX.into())?;
            reading.last_xid = u32::try_from(xid).ok();
        }
        Field::ThrottleReasons => {
            reading.throttle_reasons = Some(reading::whole(value, MAX_BITMASK)?);
        }
    }
    Ok(())
}

fn bad_label(label: &str, value: Option<&str>) -> RejectReason {
    RejectReason::BadLabel {
        label: label.to_owned(),
        value: reading::clip(value.unwrap_or_default()),
    }
}

/// Add `value` to `seen` unless it is already there (without allocating then).
fn remember(seen: &mut BTreeSet<String>, value: Option<&str>) {
    if let Some(value) = value
        && !seen.contains(value)
    {
        seen.insert(value.to_owned());
    }
}
