//! What MIG-enabled GPUs report: each GPU's MIG instances, read by the GPU
//! sources, joined to their whole GPU and given their place on the slice
//! grid when the source reports none (DCGM), as snapshot rows.
//!
//! - `instances`: [`NodeTelemetry::mig_samples`](crate::sources::NodeTelemetry::mig_samples),
//!   a node's instances per GPU;
//! - [`placements`](mod@placements): the canonical placement of instances
//!   reported by profile and instance id.

mod instances;
pub mod placements;

pub use placements::placements;
