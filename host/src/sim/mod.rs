//! Simulators that stand in for a real cluster: the embedded GPU fleet the
//! demo and the tests run on, and the DCGM exporter output of its nodes.

mod exporter;
mod fleet;
mod gpu;

pub use fleet::{Fleet, FleetConfig, NodeFault};
pub use gpu::GpuKind;
