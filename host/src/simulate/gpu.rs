//! The GPU models a simulated fleet is made of, with the datasheet figures
//! the serving model is computed from, and how a GPU heats and throttles.
//!
//! | model | name DCGM reports | memory (MiB) | BF16 dense (TFLOPS) | HBM (GB/s) | power limit (W) |
//! |---|---|---|---|---|---|
//! | `A100-40` | NVIDIA A100-SXM4-40GB | 40,960 | 312 | 1,555 | 400 |
//! | `A100-80` | NVIDIA A100-SXM4-80GB | 81,920 | 312 | 2,039 | 400 |
//! | `H100` | NVIDIA H100 80GB HBM3 | 81,559 | 989 | 3,350 | 700 |
//! | `H200` | NVIDIA H200 | 143,771 | 989 | 4,800 | 700 |
//!
//! Sources: NVIDIA A100 Tensor Core GPU datasheet (BF16 312 TFLOPS dense,
//! 624 with sparsity; 1,555 GB/s for 40 GB, 2,039 GB/s for 80 GB; 400 W);
//! NVIDIA H100 Tensor Core GPU datasheet, SXM (BF16 1,979 TFLOPS with
//! sparsity, so 989 dense; 3.35 TB/s; up to 700 W); NVIDIA H200 datasheet
//! (141 GB at 4.8 TB/s, the H100's compute, up to 700 W). Memory in MiB is
//! what nvidia-smi and the DCGM exporter report: the H100's 81,559 MiB from
//! the capture in `tests/fixtures/nvidia-smi/`, the A100-40's 40,960 MiB as
//! the demo fleet reports it (`crate::sim`).
//!
//! Heat: a GPU's temperature follows `ambient + heat × utilisation` with a
//! first-order lag of 12 s, and a GPU at or above 87 °C is throttled
//! (thermal slowdown) and settles no more than 4 °C above it — the demo
//! fleet's thermal model (`crate::sim`), whose normal cooling (30 °C idle,
//! +42 °C at full load) matches the H100 capture's 41 °C idle and 59 °C at
//! partial load. A badly cooled node runs at 50 °C idle, +60 °C at full load,
//! so it throttles above about 62 % utilisation. Throttled, the SM clock
//! drops from 1,980 MHz (the H100's maximum boost clock) to 1,410 MHz, as the
//! demo's DCGM exporter reports it: compute-bound prefill slows by that
//! ratio (×0.71); memory-bound decode keeps its memory clock and is assumed
//! to lose 10 % (×0.90).

use std::fmt;

/// A GPU model of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GpuKind {
    A100_40,
    A100_80,
    H100,
    H200,
}

impl GpuKind {
    /// Every model, in the order scenario errors list them.
    pub const ALL: [GpuKind; 4] = [
        GpuKind::A100_40,
        GpuKind::A100_80,
        GpuKind::H100,
        GpuKind::H200,
    ];

    /// The name a scenario file uses.
    pub fn key(self) -> &'static str {
        match self {
            GpuKind::A100_40 => "A100-40",
            GpuKind::A100_80 => "A100-80",
            GpuKind::H100 => "H100",
            GpuKind::H200 => "H200",
        }
    }

    /// The model named `key` in a scenario file.
    pub fn from_key(key: &str) -> Option<GpuKind> {
        GpuKind::ALL.into_iter().find(|kind| kind.key() == key)
    }

    /// The name the DCGM exporter reports (`modelName`).
    pub fn model_name(self) -> &'static str {
        match self {
            GpuKind::A100_40 => "NVIDIA A100-SXM4-40GB",
            GpuKind::A100_80 => "NVIDIA A100-SXM4-80GB",
            GpuKind::H100 => "NVIDIA H100 80GB HBM3",
            GpuKind::H200 => "NVIDIA H200",
        }
    }

    /// Framebuffer, MiB.
    pub fn memory_mib(self) -> f64 {
        match self {
            GpuKind::A100_40 => 40_960.0,
            GpuKind::A100_80 => 81_920.0,
            GpuKind::H100 => 81_559.0,
            GpuKind::H200 => 143_771.0,
        }
    }

    /// Dense BF16 tensor throughput, FLOP/s.
    pub fn bf16_flops(self) -> f64 {
        match self {
            GpuKind::A100_40 | GpuKind::A100_80 => 312e12,
            GpuKind::H100 | GpuKind::H200 => 989e12,
        }
    }

    /// Memory bandwidth, bytes/s.
    pub fn memory_bandwidth(self) -> f64 {
        match self {
            GpuKind::A100_40 => 1_555e9,
            GpuKind::A100_80 => 2_039e9,
            GpuKind::H100 => 3_350e9,
            GpuKind::H200 => 4_800e9,
        }
    }

    /// Board power limit, W.
    pub fn power_limit_w(self) -> f64 {
        match self {
            GpuKind::A100_40 | GpuKind::A100_80 => 400.0,
            GpuKind::H100 | GpuKind::H200 => 700.0,
        }
    }

    /// The model's MIG geometry.
    pub fn mig_model(self) -> fulcrum_mig::GpuModel {
        match self {
            GpuKind::A100_40 => fulcrum_mig::GpuModel::A100_40,
            GpuKind::A100_80 => fulcrum_mig::GpuModel::A100_80,
            GpuKind::H100 => fulcrum_mig::GpuModel::H100_80,
            GpuKind::H200 => fulcrum_mig::GpuModel::H200,
        }
    }
}

impl fmt::Display for GpuKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// How well a node is cooled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cooling {
    Normal,
    Poor,
}

impl Cooling {
    /// (°C at idle, °C more at full load).
    pub fn temperatures(self) -> (f64, f64) {
        match self {
            Cooling::Normal => (30.0, 42.0),
            Cooling::Poor => (50.0, 60.0),
        }
    }
}

/// Temperature at which a GPU throttles, °C.
pub const THROTTLE_C: f64 = 87.0;
/// How far past [`THROTTLE_C`] a throttled GPU settles, °C.
const THROTTLE_OVERSHOOT_C: f64 = 4.0;
/// Time constant of the temperature, s.
const TEMPERATURE_TAU_S: f64 = 12.0;
/// Idle power draw, W (the H100 capture's 69.85 W, rounded).
pub const IDLE_POWER_W: f64 = 70.0;
/// Share of prefill (compute-bound) throughput a throttled GPU keeps:
/// 1,410 / 1,980 MHz.
pub const THROTTLED_PREFILL: f64 = 1_410.0 / 1_980.0;
/// Share of decode (memory-bound) throughput a throttled GPU keeps.
pub const THROTTLED_DECODE: f64 = 0.9;

/// One GPU's temperature.
#[derive(Debug, Clone, Copy)]
pub struct Thermal {
    pub temperature_c: f64,
}

impl Thermal {
    /// A GPU at its node's idle temperature.
    pub fn idle(cooling: Cooling) -> Thermal {
        Thermal {
            temperature_c: cooling.temperatures().0,
        }
    }

    pub fn throttled(&self) -> bool {
        self.temperature_c >= THROTTLE_C
    }

    /// Advance `dt_s` seconds at `utilization` (0..=1).
    pub fn advance(&mut self, dt_s: f64, utilization: f64, cooling: Cooling) {
        let (ambient, heat) = cooling.temperatures();
        let target =
            (ambient + heat * utilization.clamp(0.0, 1.0)).min(THROTTLE_C + THROTTLE_OVERSHOOT_C);
        let settle = 1.0 - (-dt_s / TEMPERATURE_TAU_S).exp();
        self.temperature_c += (target - self.temperature_c) * settle;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_every_model_once() {
        for kind in GpuKind::ALL {
            assert_eq!(GpuKind::from_key(kind.key()), Some(kind));
            assert_eq!(
                fulcrum_mig::GpuModel::from_name(kind.model_name()),
                Some(kind.mig_model()),
                "{kind}: DCGM's name maps to its MIG table"
            );
        }
        assert_eq!(GpuKind::from_key("V100"), None);
    }

    #[test]
    fn a_badly_cooled_gpu_throttles_under_load_and_recovers_idle() {
        let mut normal = Thermal::idle(Cooling::Normal);
        let mut poor = Thermal::idle(Cooling::Poor);
        for _ in 0..120 {
            normal.advance(1.0, 1.0, Cooling::Normal);
            poor.advance(1.0, 1.0, Cooling::Poor);
        }
        assert!(!normal.throttled() && poor.throttled());
        assert!(poor.temperature_c <= THROTTLE_C + THROTTLE_OVERSHOOT_C);
        for _ in 0..120 {
            poor.advance(1.0, 0.5, Cooling::Poor);
        }
        assert!(!poor.throttled(), "{}", poor.temperature_c);
    }
}
