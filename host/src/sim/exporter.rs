//! The simulated fleet's GPUs in DCGM exporter format (`/metrics`, the
//! Prometheus text format dcgm-exporter 4.x writes with its default counters),
//! so telemetry from the embedded fleet goes through the same parser as
//! telemetry from a real cluster.
//!
//! A GPU in MIG mode is rendered as dcgm-exporter renders one: its
//! whole-GPU series without `DCGM_FI_DEV_GPU_UTIL` (not supported under
//! MIG), and per GPU instance the engine activity and framebuffer series
//! labelled `GPU_I_PROFILE` and `GPU_I_ID`.

use std::fmt::Write;

use super::gpu::SimGpu;
use super::mig::SimInstance;

/// The driver version the simulated exporters report.
const DRIVER_VERSION: &str = "590.48.01";

/// NVML clock-event reason "SW thermal slowdown".
const SW_THERMAL_SLOWDOWN: u64 = 0x20;

/// One metric: its DCGM field name, Prometheus type, help text, and how to
/// read it off a GPU (`None` when a failed GPU does not report it).
struct Field {
    name: &'static str,
    kind: &'static str,
    help: &'static str,
    read: fn(&SimGpu) -> Option<f64>,
}

/// Readings of a GPU that has reported a fatal XID are missing; the exporter
/// drops blank values rather than rendering them.
fn live(gpu: &SimGpu, value: f64) -> Option<f64> {
    (gpu.last_xid == 0).then_some(value)
}

const FIELDS: &[Field] = &[
    Field {
        name: "DCGM_FI_DEV_SM_CLOCK",
        kind: "gauge",
        help: "SM clock frequency (in MHz).",
        read: |g| live(g, if g.throttled() { 1410.0 } else { 1980.0 }),
    },
    Field {
        name: "DCGM_FI_DEV_GPU_TEMP",
        kind: "gauge",
        help: "GPU temperature (in C).",
        read: |g| live(g, f64::from(g.temperature_c.round())),
    },
    Field {
        name: "DCGM_FI_DEV_POWER_USAGE",
        kind: "gauge",
        help: "Power draw (in W).",
        read: |g| live(g, f64::from(g.power_w)),
    },
    Field {
        name: "DCGM_FI_DEV_POWER_MGMT_LIMIT",
        kind: "gauge",
        help: "Power management limit (in W).",
        read: |g| Some(f64::from(g.kind.power_limit_w())),
    },
    Field {
        name: "DCGM_FI_DEV_GPU_UTIL",
        kind: "gauge",
        help: "GPU utilization (in %).",
        read: |g| live(g, (g.utilization * 100.0).round()),
    },
    Field {
        name: "DCGM_FI_DEV_XID_ERRORS",
        kind: "gauge",
        help: "Value of the last XID error encountered.",
        read: |g| Some(f64::from(g.last_xid)),
    },
    Field {
        name: "DCGM_FI_DEV_FB_FREE",
        kind: "gauge",
        help: "Framebuffer memory free (in MiB).",
        read: |g| {
            live(
                g,
                f64::from((g.kind.memory_total_mib() - g.memory_used_mib).round()),
            )
        },
    },
    Field {
        name: "DCGM_FI_DEV_FB_USED",
        kind: "gauge",
        help: "Framebuffer memory used (in MiB).",
        read: |g| live(g, f64::from(g.memory_used_mib.round())),
    },
    Field {
        name: "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
        kind: "gauge",
        help: "Current clock event reasons (bitmask of NVML clock event reasons).",
        read: |g| {
            live(
                g,
                if g.throttled() {
                    SW_THERMAL_SLOWDOWN as f64
                } else {
                    0.0
                },
            )
        },
    },
    Field {
        name: "DCGM_FI_PROF_GR_ENGINE_ACTIVE",
        kind: "gauge",
        help: "Ratio of time the graphics engine is active.",
        read: |g| live(g, g.utilization),
    },
    Field {
        name: "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
        kind: "gauge",
        help: "Ratio of cycles the tensor (HMMA) pipe is active.",
        read: |g| live(g, g.utilization * 0.8),
    },
];

/// How a per-instance field is read off a MIG instance.
type ReadInstance = fn(&SimInstance) -> f64;

/// Fields reported per MIG GPU instance (their values whole MiB or ratios,
/// as the instance holds them), and how to read them off one. A GPU that
/// does not report a field reports it for none of its instances.
const MIG_FIELDS: &[(&str, ReadInstance)] = &[
    ("DCGM_FI_PROF_GR_ENGINE_ACTIVE", |i| i.utilization),
    ("DCGM_FI_DEV_FB_USED", |i| f64::from(i.memory_used_mib)),
    ("DCGM_FI_DEV_FB_FREE", |i| {
        f64::from(i.memory_total_mib - i.memory_used_mib)
    }),
];

/// The `/metrics` body of the exporter on node `hostname` with these GPUs
/// and, per GPU, its MIG instances (`None` while MIG mode is off).
pub(crate) fn render(hostname: &str, gpus: &[SimGpu], mig: &[Option<Vec<SimInstance>>]) -> String {
    let mut out = String::new();
    for field in FIELDS {
        let _ = writeln!(out, "# HELP {} {}", field.name, field.help);
        let _ = writeln!(out, "# TYPE {} {}", field.name, field.kind);
        let per_instance = MIG_FIELDS.iter().find(|(name, _)| *name == field.name);
        for (index, gpu) in gpus.iter().enumerate() {
            let instances = mig.get(index).and_then(Option::as_ref);
            if instances.is_some() && field.name == "DCGM_FI_DEV_GPU_UTIL" {
                continue;
            }
            let labels = format!(
                "gpu=\"{index}\",UUID=\"{}\",pci_bus_id=\"00000000:{:02X}:00.0\",device=\"nvidia{index}\",modelName=\"{}\"",
                gpu.uuid,
                0x18 + index * 0x10,
                gpu.kind.model_name(),
            );
            let tail =
                format!("Hostname=\"{hostname}\",DCGM_FI_DRIVER_VERSION=\"{DRIVER_VERSION}\"");
            let Some(value) = (field.read)(gpu) else {
                continue;
            };
            let _ = writeln!(out, "{}{{{labels},{tail}}} {value}", field.name);
            let Some(((_, read), instances)) = per_instance.zip(instances) else {
                continue;
            };
            for instance in instances {
                let _ = writeln!(
                    out,
                    "{}{{{labels},GPU_I_PROFILE=\"{}\",GPU_I_ID=\"{}\",{tail}}} {}",
                    field.name,
                    instance.profile,
                    instance.id,
                    read(instance),
                );
            }
        }
    }
    out
}
