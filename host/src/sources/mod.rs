//! Sources collect telemetry about the cluster into the snapshot a policy
//! sees: GPU readings from DCGM exporters, a Prometheus server or
//! `nvidia-smi`, and (later) pool state from load balancers and instance state
//! from clouds.
//!
//! - `reading`: [`GpuReading`], the normalised readings of one GPU or MIG
//!   instance, shared by every GPU source; [`FieldWarning`], a value a parser
//!   dropped; physical ranges; XID → health;
//! - [`dcgm`]: DCGM exporter `/metrics` scrapes;
//! - [`prometheus`]: the same series read back from a Prometheus server;
//! - [`nvidia_smi`]: `nvidia-smi --query-gpu … --format=csv` and
//!   `nvidia-smi -L`, or the default table, from a command or a file;
//! - `config`: each source's typed configuration ([`TelemetryConfig`]), as
//!   a `[[telemetry]]` table of the configuration file gives it;
//! - `collect`: [`TelemetryCollector`], one cycle's reads of every source,
//!   joined to nodes, with age and staleness, as [`SnapshotBuilder`] rows;
//! - [`mig`]: what MIG-enabled GPUs report, their instances as snapshot rows;
//! - `http`: the bounded GET the HTTP sources share.
//!
//! Each cycle:
//!
//! ```no_run
//! # async fn cycle(collector: &mut fulcrum_host::sources::TelemetryCollector,
//! #     nodes: &[fulcrum_host::sources::NodeIdentity], now_ms: u64) {
//! let telemetry = collector.collect(nodes, now_ms).await;
//! for error in &telemetry.errors {
//!     tracing::warn!(%error, "telemetry target failed");
//! }
//! let mut builder = fulcrum_host::model::SnapshotBuilder::new();
//! for (node, identity) in telemetry.nodes.iter().zip(nodes) {
//!     node.add_to(&mut builder, identity, &[]);
//! }
//! # }
//! ```
//!
//! [`SnapshotBuilder`]: crate::model::SnapshotBuilder

mod collect;
mod config;
pub mod dcgm;
pub mod groups;
mod http;
pub mod mig;
pub mod nvidia_smi;
pub mod pools;
pub mod prometheus;
mod reading;

pub use collect::{
    CollectorError, CycleTelemetry, MAX_IN_FLIGHT, NodeIdentity, NodeReadings, NodeTelemetry,
    SourceError, TargetError, TelemetryCollector,
};
pub use config::{
    DEFAULT_DCGM_URL, DcgmConfig, JoinBy, NVIDIA_SMI_QUERY_FIELDS, NvidiaSmiConfig,
    NvidiaSmiFormat, PrometheusConfig, PrometheusQueries, TelemetryConfig,
};
pub use reading::{FieldWarning, GpuReading, MigInstance, RejectReason};
