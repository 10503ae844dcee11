//! Simulators that stand in for a real cluster: the embedded GPU fleet the
//! demo and the tests run on, and the DCGM exporters of its nodes (their
//! output, and the HTTP servers that serve it).

mod exporter;
mod exporter_server;
mod fleet;
mod gpu;

pub use exporter_server::ExporterServers;
pub use fleet::{Fleet, FleetConfig, NodeFault};
pub use gpu::GpuKind;
