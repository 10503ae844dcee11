//! The MIG geometry rail: whether a layout fits the GPUs it is meant for.
//! The guard only asks; the answer comes from whatever knows the GPU models'
//! profiles and placements, connected where the guard is called, and so
//! does the refusal's error type, which the guard keeps boxed.

use std::error::Error;

use crate::model::{ProfileCount, Snapshot};

/// Why a layout does not fit its GPUs, in words an operator understands;
/// the checker's own error, boxed.
pub type GeometryError = Box<dyn Error + Send + Sync>;

/// Decides whether a MIG layout is valid on some GPUs of a node.
pub trait MigGeometry {
    /// `Ok` when every GPU row in `gpus` (all on `node`) can hold `profiles`;
    /// otherwise why not.
    fn check(
        &self,
        snapshot: &Snapshot,
        node: u32,
        gpus: &[u32],
        profiles: &[ProfileCount],
    ) -> Result<(), GeometryError>;
}

impl<F> MigGeometry for F
where
    F: Fn(&Snapshot, u32, &[u32], &[ProfileCount]) -> Result<(), GeometryError>,
{
    fn check(
        &self,
        snapshot: &Snapshot,
        node: u32,
        gpus: &[u32],
        profiles: &[ProfileCount],
    ) -> Result<(), GeometryError> {
        self(snapshot, node, gpus, profiles)
    }
}
