//! Native stand-ins for the host, for unit tests and benchmarks of policies.
//!
//! - [`MemoryHost`] implements [`Host`](crate::Host) in memory, with the
//!   contract's key and quota rules, and records log lines;
//! - [`SnapshotBuilder`] builds a valid columnar [`Snapshot`](crate::Snapshot)
//!   row by row.
//!
//! Both are plain Rust and always compiled, so a policy crate's tests and the
//! host's benchmarks can use them without features.

mod builder;
mod memory_host;

pub use builder::{GpuSample, MigSample, SnapshotBuilder};
pub use memory_host::{ENTRY_OVERHEAD_BYTES, MemoryHost};
