//! One simulated GPU: utilisation follows the load it is given with a lag,
//! memory follows utilisation, temperature follows utilisation more slowly,
//! and a GPU that runs too hot throttles and serves less.

/// The GPU models the fleet is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GpuKind {
    H100Sxm80,
    A100Sxm40,
}

impl GpuKind {
    pub fn model_name(self) -> &'static str {
        match self {
            GpuKind::H100Sxm80 => "NVIDIA H100 80GB HBM3",
            GpuKind::A100Sxm40 => "NVIDIA A100-SXM4-40GB",
        }
    }

    /// Framebuffer, MiB, as nvidia-smi reports it.
    pub fn memory_total_mib(self) -> f32 {
        match self {
            GpuKind::H100Sxm80 => 81559.0,
            GpuKind::A100Sxm40 => 40960.0,
        }
    }

    pub fn power_limit_w(self) -> f32 {
        match self {
            GpuKind::H100Sxm80 => 700.0,
            GpuKind::A100Sxm40 => 400.0,
        }
    }

    /// Requests per second one GPU serves at full utilisation.
    pub fn capacity_rps(self) -> f64 {
        match self {
            GpuKind::H100Sxm80 => 40.0,
            GpuKind::A100Sxm40 => 22.0,
        }
    }

    /// Memory the served model's weights hold whatever the load, MiB.
    fn resident_mib(self) -> f32 {
        self.memory_total_mib() * 0.32
    }
}

/// Temperature at which a GPU starts to clock down, °C.
pub const THROTTLE_C: f32 = 87.0;
/// How far past [`THROTTLE_C`] a throttled GPU settles, °C.
const THROTTLE_OVERSHOOT_C: f32 = 4.0;
/// Share of its capacity a throttled GPU keeps.
pub const THROTTLED_CAPACITY: f64 = 0.7;
/// Time constants: utilisation settles in seconds, temperature in tens.
const UTILIZATION_TAU_S: f64 = 3.0;
const TEMPERATURE_TAU_S: f64 = 12.0;
const IDLE_POWER_W: f32 = 70.0;

/// The state of one simulated GPU.
#[derive(Debug, Clone)]
pub(crate) struct SimGpu {
    pub(crate) kind: GpuKind,
    pub(crate) uuid: String,
    /// How much more (or less) than its node's average this GPU is loaded.
    pub(crate) skew: f64,
    pub(crate) utilization: f64,
    pub(crate) memory_used_mib: f32,
    pub(crate) temperature_c: f32,
    pub(crate) power_w: f32,
    pub(crate) last_xid: u32,
}

impl SimGpu {
    pub(crate) fn new(kind: GpuKind, uuid: String, skew: f64, ambient_c: f32) -> Self {
        SimGpu {
            kind,
            uuid,
            skew,
            utilization: 0.0,
            memory_used_mib: kind.resident_mib(),
            temperature_c: ambient_c,
            power_w: IDLE_POWER_W,
            last_xid: 0,
        }
    }

    pub(crate) fn throttled(&self) -> bool {
        self.temperature_c >= THROTTLE_C
    }

    /// Requests per second this GPU can serve now.
    pub(crate) fn capacity_rps(&self) -> f64 {
        let full = self.kind.capacity_rps();
        if self.throttled() {
            full * THROTTLED_CAPACITY
        } else {
            full
        }
    }

    /// Advance `dt_s` seconds with `demand` (0 = idle, 1 = exactly full) and
    /// the node's cooling (`ambient_c` at idle, `heat_c` more at full load).
    pub(crate) fn advance(&mut self, dt_s: f64, demand: f64, ambient_c: f32, heat_c: f32) {
        let target = (demand * self.skew).clamp(0.0, 1.0);
        self.utilization += (target - self.utilization) * settle(dt_s, UTILIZATION_TAU_S);
        let u = self.utilization as f32;
        let cache_room = self.kind.memory_total_mib() * 0.6;
        self.memory_used_mib = self.kind.resident_mib() + cache_room * u;
        // A throttled GPU clocks down enough to hold near its slowdown point.
        let temperature_target = (ambient_c + heat_c * u).min(THROTTLE_C + THROTTLE_OVERSHOOT_C);
        self.temperature_c +=
            (temperature_target - self.temperature_c) * settle(dt_s, TEMPERATURE_TAU_S) as f32;
        let limit = self.kind.power_limit_w();
        self.power_w = if self.throttled() {
            limit * 0.8
        } else {
            IDLE_POWER_W + (limit - IDLE_POWER_W) * u
        };
    }
}

/// Fraction of the way to its target a first-order lag covers in `dt_s`.
fn settle(dt_s: f64, tau_s: f64) -> f64 {
    1.0 - (-dt_s / tau_s).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utilisation_follows_demand_with_a_lag() {
        let mut gpu = SimGpu::new(GpuKind::H100Sxm80, "GPU-x".into(), 1.0, 30.0);
        gpu.advance(1.0, 0.8, 30.0, 45.0);
        assert!(gpu.utilization > 0.0 && gpu.utilization < 0.8);
        for _ in 0..60 {
            gpu.advance(1.0, 0.8, 30.0, 45.0);
        }
        assert!((gpu.utilization - 0.8).abs() < 0.01);
        assert!(gpu.memory_used_mib > GpuKind::H100Sxm80.resident_mib());
    }

    #[test]
    fn a_badly_cooled_gpu_throttles_and_loses_capacity() {
        let mut gpu = SimGpu::new(GpuKind::H100Sxm80, "GPU-x".into(), 1.0, 45.0);
        for _ in 0..120 {
            gpu.advance(1.0, 1.0, 45.0, 50.0);
        }
        assert!(gpu.throttled());
        assert!(gpu.capacity_rps() < GpuKind::H100Sxm80.capacity_rps());
    }
}
