//! Simulators that stand in for a real cluster: the embedded GPU fleet the
//! demo and the tests run on, its MIG layouts and node agent, and the DCGM
//! exporters of its nodes (their output, and the HTTP servers that serve it).

mod config;
mod exporter;
mod exporter_server;
mod fleet;
mod gpu;
mod mig;

pub use exporter_server::ExporterServers;
pub use fleet::{Fleet, FleetConfig, NodeFault};
pub use gpu::GpuKind;
pub use mig::{AgentError, IDLE_ACTIVITY, MigAgent, SimInstance};
