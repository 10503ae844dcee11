//! [`GpuView`] and [`MigView`]: physical GPUs and their MIG instances.

use super::codes::flag;
use super::rows::sealed::FromRow;
use super::{NodeView, Rows, SnapshotView, children, read, row_count};
use crate::{GpuUuid, Health, Snapshot};

/// One row of `gpus`: a physical GPU.
///
/// Measurements are `NaN` when the source did not report them.
#[derive(Clone, Copy, Debug)]
pub struct GpuView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for GpuView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        GpuView { snapshot, row }
    }
}

impl<'a> GpuView<'a> {
    /// The GPU's row in `gpus`.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// The node the GPU is in.
    pub fn node(&self) -> NodeView<'a> {
        NodeView::from_row(self.snapshot, read(&self.snapshot.gpus.node, self.at()))
    }

    /// Device index on the node (`nvidia-smi` index, DCGM `gpu` label).
    pub fn index(&self) -> u32 {
        read(&self.snapshot.gpus.index, self.at())
    }

    /// Device UUID; `None` when the source reported none.
    pub fn uuid(&self) -> Option<GpuUuid> {
        let gpus = &self.snapshot.gpus;
        GpuUuid::from_halves(
            read(&gpus.uuid_high, self.at()),
            read(&gpus.uuid_low, self.at()),
        )
    }

    /// Model name ("NVIDIA H100 80GB HBM3"); `""` when absent.
    pub fn model(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.gpus.model, self.at()))
    }

    /// Compute busy ratio 0..=1.
    pub fn utilization(&self) -> f32 {
        read(&self.snapshot.gpus.utilization, self.at())
    }

    /// Tensor-pipe activity ratio 0..=1.
    pub fn tensor_activity(&self) -> f32 {
        read(&self.snapshot.gpus.tensor_activity, self.at())
    }

    /// Framebuffer memory in use, MiB.
    pub fn memory_used_mib(&self) -> f32 {
        read(&self.snapshot.gpus.memory_used_mib, self.at())
    }

    /// Framebuffer memory in total, MiB.
    pub fn memory_total_mib(&self) -> f32 {
        read(&self.snapshot.gpus.memory_total_mib, self.at())
    }

    /// GPU temperature, °C.
    pub fn temperature_c(&self) -> f32 {
        read(&self.snapshot.gpus.temperature_c, self.at())
    }

    /// Power draw, W.
    pub fn power_w(&self) -> f32 {
        read(&self.snapshot.gpus.power_w, self.at())
    }

    /// Power limit, W.
    pub fn power_limit_w(&self) -> f32 {
        read(&self.snapshot.gpus.power_limit_w, self.at())
    }

    /// True while the GPU is clock-throttled for thermal or power reasons.
    pub fn throttled(&self) -> bool {
        flag(self.snapshot.gpus.throttled[self.at()])
    }

    /// The last XID error the GPU reported; 0 when none.
    pub fn last_xid(&self) -> u32 {
        read(&self.snapshot.gpus.last_xid, self.at())
    }

    /// GPU health, derived from XIDs and reachability; an unknown code reads as
    /// [`Health::Unknown`].
    pub fn health(&self) -> Health {
        Health::from_code(self.snapshot.gpus.health[self.at()])
    }

    /// True when MIG mode is enabled on the GPU.
    pub fn mig_enabled(&self) -> bool {
        flag(self.snapshot.gpus.mig_enabled[self.at()])
    }

    /// The GPU's MIG instances, in row order.
    pub fn mig_instances(&self) -> Rows<'a, MigView<'a>> {
        let gpus = &self.snapshot.gpus;
        Rows::new(
            self.snapshot,
            children(
                &gpus.mig_start,
                self.row,
                row_count(&self.snapshot.mig_instances.gpu),
            ),
        )
    }

    fn view(&self) -> SnapshotView<'a> {
        SnapshotView::new(self.snapshot)
    }
}

/// One row of `mig-instances`: a MIG GPU instance.
#[derive(Clone, Copy, Debug)]
pub struct MigView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for MigView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        MigView { snapshot, row }
    }
}

impl<'a> MigView<'a> {
    /// The instance's row in `mig-instances`.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// The physical GPU the instance lives on.
    pub fn gpu(&self) -> GpuView<'a> {
        GpuView::from_row(
            self.snapshot,
            read(&self.snapshot.mig_instances.gpu, self.at()),
        )
    }

    /// Profile name ("1g.10gb").
    pub fn profile(&self) -> &'a str {
        SnapshotView::new(self.snapshot)
            .string(read(&self.snapshot.mig_instances.profile, self.at()))
    }

    /// GPU instance id (`GPU_I_ID`).
    pub fn instance_id(&self) -> u32 {
        read(&self.snapshot.mig_instances.instance_id, self.at())
    }

    /// First memory slice of the placement (0..=7).
    pub fn placement_start(&self) -> u8 {
        self.snapshot.mig_instances.placement_start[self.at()]
    }

    /// Number of memory slices the placement covers.
    pub fn placement_size(&self) -> u8 {
        self.snapshot.mig_instances.placement_size[self.at()]
    }

    /// Graphics-engine activity ratio 0..=1 of this instance.
    pub fn utilization(&self) -> f32 {
        read(&self.snapshot.mig_instances.utilization, self.at())
    }

    /// Memory in use inside the instance, MiB.
    pub fn memory_used_mib(&self) -> f32 {
        read(&self.snapshot.mig_instances.memory_used_mib, self.at())
    }

    /// Memory of the instance, MiB.
    pub fn memory_total_mib(&self) -> f32 {
        read(&self.snapshot.mig_instances.memory_total_mib, self.at())
    }
}
