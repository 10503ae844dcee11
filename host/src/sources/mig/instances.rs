//! The MIG instances a node's telemetry reports, as the rows
//! [`SnapshotBuilder`](crate::model::SnapshotBuilder) takes: joined to their
//! whole GPU and placed on its slice grid.

use super::placements;
use crate::model::MigSample;
use crate::sources::NodeTelemetry;

impl NodeTelemetry {
    /// Each whole GPU's MIG instances (in the order of [`Self::gpu_samples`]),
    /// joined by the parent's UUID, else its index. DCGM reports no
    /// placement, so each GPU's instances get their profiles' canonical one.
    pub fn mig_samples(&self) -> Vec<Vec<MigSample<'_>>> {
        let Some(readings) = &self.readings else {
            return Vec::new();
        };
        readings
            .gpus
            .iter()
            .map(|gpu| {
                let instances: Vec<_> = readings
                    .mig_instances
                    .iter()
                    .filter(|i| match (&gpu.uuid, &i.uuid) {
                        (Some(parent), Some(uuid)) => parent == uuid,
                        _ => gpu.index.is_some() && gpu.index == i.index,
                    })
                    .filter_map(|i| i.mig.as_ref().map(|mig| (i, mig)))
                    .collect();
                let ids: Vec<(&str, u32)> = instances
                    .iter()
                    .map(|(_, mig)| (mig.profile.as_deref().unwrap_or_default(), mig.instance_id))
                    .collect();
                let model = gpu.model.as_deref().unwrap_or_default();
                instances
                    .iter()
                    .zip(&ids)
                    .zip(placements(model, &ids))
                    .map(
                        |(((reading, _), &(profile, instance_id)), (start, size))| MigSample {
                            profile,
                            instance_id,
                            placement_start: start,
                            placement_size: size,
                            utilization: reading.utilization as f32,
                            memory_used_mib: reading.memory_used_mib as f32,
                            memory_total_mib: reading.memory_total_mib as f32,
                        },
                    )
                    .collect()
            })
            .collect()
    }
}
