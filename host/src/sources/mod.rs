//! Sources collect telemetry about the cluster into the snapshot a policy
//! sees: GPU readings from DCGM exporters or `nvidia-smi`, and (later) pool
//! state from load balancers and instance state from clouds.
//!
//! For now this holds the pure parsing half of the GPU sources, with no I/O:
//! the caller fetches the text (an HTTP scrape, a process's output) and hands
//! it over with a name for it (the URL or command) that errors and warnings
//! quote.
//!
//! - `reading`: [`GpuReading`], the normalised readings of one GPU or MIG
//!   instance, shared by every GPU source; [`FieldWarning`], a value a parser
//!   dropped; physical ranges; XID → health;
//! - [`dcgm`]: DCGM exporter `/metrics` scrapes;
//! - [`nvidia_smi`]: `nvidia-smi --query-gpu … --format=csv` and `nvidia-smi -L`.

pub mod dcgm;
pub mod nvidia_smi;
mod reading;

pub use reading::{FieldWarning, GpuReading, MigInstance, RejectReason};
