//! The MIG geometry rail: whether a layout fits the GPUs it is meant for.
//! The guard only asks; the answer comes from whatever knows the GPU models'
//! profiles and placements, connected where the guard is called.

use crate::model::{ProfileCount, Snapshot};

/// Decides whether a MIG layout is valid on some GPUs of a node.
pub trait MigGeometry {
    /// `Ok` when every GPU row in `gpus` (all on `node`) can hold `profiles`;
    /// otherwise why not, in words an operator understands.
    fn check(
        &self,
        snapshot: &Snapshot,
        node: u32,
        gpus: &[u32],
        profiles: &[ProfileCount],
    ) -> Result<(), String>;
}

impl<F> MigGeometry for F
where
    F: Fn(&Snapshot, u32, &[u32], &[ProfileCount]) -> Result<(), String>,
{
    fn check(
        &self,
        snapshot: &Snapshot,
        node: u32,
        gpus: &[u32],
        profiles: &[ProfileCount],
    ) -> Result<(), String> {
        self(snapshot, node, gpus, profiles)
    }
}
