//! A node's telemetry as the rows [`SnapshotBuilder`] takes: the node (with
//! its health, telemetry age and staleness) and its whole GPUs; their MIG
//! instances' rows come from [`crate::sources::mig`].

use super::{NodeIdentity, NodeTelemetry};
use crate::model::{GpuSample, Health, NodeSample, SnapshotBuilder};

impl NodeTelemetry {
    /// The node's health from its GPUs: the worst GPU's (a fatal XID makes
    /// it Unhealthy, another XID Degraded); Unknown when the telemetry is
    /// stale or reports no GPU.
    pub fn health(&self) -> Health {
        let Some(readings) = self.readings.as_ref().filter(|_| !self.stale) else {
            return Health::Unknown;
        };
        let healths = readings.gpus.iter().map(|gpu| gpu.health());
        let rank = |health: &Health| match health {
            Health::Healthy => 0,
            Health::Degraded => 1,
            Health::Unhealthy => 2,
            Health::Unknown => 3,
        };
        healths.max_by_key(rank).unwrap_or(Health::Unknown)
    }

    /// The node's whole GPUs as builder rows, the last values read (also
    /// when stale, as the snapshot contract says). A GPU without an index
    /// takes its position; missing UUID, model and XID are empty and 0.
    pub fn gpu_samples(&self) -> Vec<GpuSample<'_>> {
        let Some(readings) = &self.readings else {
            return Vec::new();
        };
        readings
            .gpus
            .iter()
            .enumerate()
            .map(|(position, gpu)| GpuSample {
                index: gpu.index.unwrap_or(position as u32),
                uuid: gpu.uuid.as_deref().unwrap_or_default(),
                model: gpu.model.as_deref().unwrap_or_default(),
                utilization: gpu.utilization as f32,
                tensor_activity: gpu.tensor_activity as f32,
                memory_used_mib: gpu.memory_used_mib as f32,
                memory_total_mib: gpu.memory_total_mib as f32,
                temperature_c: gpu.temperature_c as f32,
                power_w: gpu.power_w as f32,
                power_limit_w: gpu.power_limit_w as f32,
                throttled: gpu.throttled(),
                last_xid: gpu.last_xid.unwrap_or(0),
                health: gpu.health(),
                mig: gpu.mig_enabled.unwrap_or(false).then_some(&[]),
            })
            .collect()
    }

    /// The node row for `identity`, with `labels`.
    pub fn node_sample<'a>(
        &self,
        identity: &'a NodeIdentity,
        labels: &'a [(&'a str, &'a str)],
    ) -> NodeSample<'a> {
        NodeSample {
            name: &identity.name,
            address: &identity.address,
            health: self.health(),
            telemetry_age_ms: self.age_ms,
            stale: self.stale,
            labels,
        }
    }

    /// Add the node and its GPUs to `builder`; returns the node's row.
    pub fn add_to(
        &self,
        builder: &mut SnapshotBuilder,
        identity: &NodeIdentity,
        labels: &[(&str, &str)],
    ) -> u32 {
        let mig = self.mig_samples();
        let mut gpus = self.gpu_samples();
        for (gpu, instances) in gpus.iter_mut().zip(&mig) {
            if gpu.mig.is_some() || !instances.is_empty() {
                gpu.mig = Some(instances);
            }
        }
        builder.node(&self.node_sample(identity, labels), &gpus)
    }
}
