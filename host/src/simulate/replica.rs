//! What one serving replica can do: the LLM it serves ([`ServedModel`]) on a
//! whole GPU or a MIG instance, turned into throughput by the roofline
//! ([`ReplicaSpec`]).
//!
//! - Prefill is compute-bound: `tokens/s = FLOPS × prefill_efficiency /
//!   (2 × parameters)` (two FLOPs per parameter per token; the attention
//!   term, small next to the weights' for prompts of a few thousand tokens,
//!   is left out).
//! - A decode step produces one token for every request in the batch and is
//!   memory-bound: it reads the weights and the batch's KV cache once,
//!   `(weights + KV tokens × KV bytes per token) / (bandwidth ×
//!   decode_efficiency)`, or takes the batch's FLOPs at the prefill
//!   efficiency when that is longer (the roofline's other side).
//! - The KV cache holds what is left of `memory × memory_utilization` after
//!   the weights (vLLM's `gpu_memory_utilization`, 0.9 by default); a
//!   request reserves its prompt and output tokens when admitted, and the
//!   batch is at most `max_batch` requests (vLLM's `max_num_seqs`, 256).
//! - A MIG instance gets its profile's share of the compute slices (of 7)
//!   for FLOPs and of the memory slices (of 8) for memory and bandwidth
//!   (NVIDIA's MIG user guide: each memory slice is an eighth of the memory
//!   and of its bandwidth). A model whose weights do not fit is refused.
//!
//! The default model is Llama 2 13B in 16-bit weights: 13.0 B parameters,
//! 26.0 GB of weights; 40 layers of width 5,120 give a KV cache of
//! 2 × 40 × 5,120 × 2 bytes = 800 KiB per token (Touvron et al., "Llama 2:
//! Open Foundation and Fine-Tuned Chat Models", 2023, table 1 and the
//! released configuration). The efficiencies are assumptions: 50 % of peak
//! FLOPs in prefill, 60 % of peak bandwidth in decode, in line with the
//! memory-bandwidth utilisation of about 60 % that Databricks measured for
//! 7B–70B models ("LLM Inference Performance Engineering: Best Practices",
//! 2023).

use super::gpu::GpuKind;

/// The LLM every replica of a simulated fleet serves.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedModel {
    pub name: String,
    pub parameters: f64,
    pub weights_bytes: f64,
    pub kv_bytes_per_token: f64,
    pub max_batch: u32,
    /// Share of peak FLOPs reached, 0..=1.
    pub prefill_efficiency: f64,
    /// Share of peak memory bandwidth reached in decode, 0..=1.
    pub decode_efficiency: f64,
    /// Share of the replica's memory the server may use, 0..=1.
    pub memory_utilization: f64,
}

impl Default for ServedModel {
    fn default() -> Self {
        ServedModel {
            name: "Llama-2-13B".to_owned(),
            parameters: 13.0e9,
            weights_bytes: 26.0e9,
            kv_bytes_per_token: 2.0 * 40.0 * 5_120.0 * 2.0,
            max_batch: 256,
            prefill_efficiency: 0.5,
            decode_efficiency: 0.6,
            memory_utilization: 0.9,
        }
    }
}

/// One replica's capacity, before any throttling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicaSpec {
    /// Prefill throughput, tokens/s.
    pub prefill_tokens_per_s: f64,
    /// Effective memory bandwidth in decode, bytes/s.
    pub decode_bandwidth: f64,
    /// Effective FLOP/s in decode's compute-bound regime.
    pub decode_flops: f64,
    pub weights_bytes: f64,
    pub kv_bytes_per_token: f64,
    pub parameters: f64,
    /// KV cache, tokens.
    pub kv_tokens: u64,
    pub max_batch: u32,
    /// The replica's memory (the GPU's or the MIG instance's), MiB.
    pub memory_mib: f64,
    /// Its share of the GPU's compute, 0..=1 (1 for a whole GPU).
    pub compute_share: f64,
}

const MIB: f64 = 1_048_576.0;

impl ReplicaSpec {
    /// `model` on `compute_share` of a `gpu`'s compute and `memory_share`
    /// of its memory; `None` when the weights do not fit.
    pub fn new(
        model: &ServedModel,
        gpu: GpuKind,
        compute_share: f64,
        memory_share: f64,
    ) -> Option<ReplicaSpec> {
        let memory_mib = gpu.memory_mib() * memory_share;
        let usable = memory_mib * MIB * model.memory_utilization - model.weights_bytes;
        if usable <= model.kv_bytes_per_token {
            return None;
        }
        let flops = gpu.bf16_flops() * compute_share * model.prefill_efficiency;
        Some(ReplicaSpec {
            prefill_tokens_per_s: flops / (2.0 * model.parameters),
            decode_bandwidth: gpu.memory_bandwidth() * memory_share * model.decode_efficiency,
            decode_flops: flops,
            weights_bytes: model.weights_bytes,
            kv_bytes_per_token: model.kv_bytes_per_token,
            parameters: model.parameters,
            kv_tokens: (usable / model.kv_bytes_per_token) as u64,
            max_batch: model.max_batch,
            memory_mib,
            compute_share,
        })
    }

    /// Seconds one decode step of `batch` requests holding `kv_tokens`
    /// takes, at `slowdown` of full speed.
    pub fn decode_step_s(&self, batch: usize, kv_tokens: f64, slowdown: f64) -> f64 {
        let memory = (self.weights_bytes + kv_tokens * self.kv_bytes_per_token)
            / (self.decode_bandwidth * slowdown);
        let compute = 2.0 * self.parameters * batch as f64 / (self.decode_flops * slowdown);
        memory.max(compute)
    }

    /// Memory the server holds with `kv_tokens` reserved, MiB.
    pub fn memory_used_mib(&self, kv_tokens: u64) -> f64 {
        (self.weights_bytes + kv_tokens as f64 * self.kv_bytes_per_token) / MIB
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_h100_outruns_an_a100_40_by_its_datasheet_ratios() {
        let model = ServedModel::default();
        let h100 = ReplicaSpec::new(&model, GpuKind::H100, 1.0, 1.0).unwrap();
        let a100 = ReplicaSpec::new(&model, GpuKind::A100_40, 1.0, 1.0).unwrap();
        let prefill = h100.prefill_tokens_per_s / a100.prefill_tokens_per_s;
        assert!((prefill - 989.0 / 312.0).abs() < 1e-9);
        // 13B: 26 GB of weights at 60 % of 3.35 TB/s is about 13 ms a step.
        let step = h100.decode_step_s(1, 1_000.0, 1.0);
        assert!((0.012..0.014).contains(&step), "{step}");
        assert!(a100.decode_step_s(1, 1_000.0, 1.0) > 2.0 * step);
        // 80 GB holds several times the KV cache of 40 GB after the weights.
        assert!(h100.kv_tokens > 3 * a100.kv_tokens);
        assert!(a100.kv_tokens > 10_000, "{}", a100.kv_tokens);
    }

    #[test]
    fn mig_instances_get_their_slices_and_small_ones_cannot_hold_the_model() {
        let model = ServedModel::default();
        let half = ReplicaSpec::new(&model, GpuKind::H100, 3.0 / 7.0, 4.0 / 8.0).unwrap();
        let whole = ReplicaSpec::new(&model, GpuKind::H100, 1.0, 1.0).unwrap();
        assert!(half.kv_tokens < whole.kv_tokens / 3);
        assert!((half.prefill_tokens_per_s / whole.prefill_tokens_per_s - 3.0 / 7.0).abs() < 1e-9);
        assert_eq!(
            ReplicaSpec::new(&model, GpuKind::H100, 1.0 / 7.0, 1.0 / 8.0),
            None
        );
    }

    #[test]
    fn large_batches_become_compute_bound() {
        let spec = ReplicaSpec::new(&ServedModel::default(), GpuKind::A100_80, 1.0, 1.0).unwrap();
        let small = spec.decode_step_s(1, 0.0, 1.0);
        let large = spec.decode_step_s(4_096, 0.0, 1.0);
        assert!(large > small * 2.0);
        assert!(spec.decode_step_s(1, 0.0, 0.5) > small * 1.99);
    }
}
