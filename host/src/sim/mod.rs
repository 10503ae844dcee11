//! Simulators that stand in for a real cluster: the embedded GPU fleet the
//! demo and the tests run on.

mod fleet;
mod gpu;

pub use fleet::{Fleet, FleetConfig, NodeFault};
pub use gpu::GpuKind;
