//! F5 BIG-IP LTM over iControl REST: the client Fulcrum reads and changes pools with, and a
//! simulator that speaks the same wire format.
//!
//! The crate has four parts, used in this order by the host:
//!
//! 1. [`Client`] — an authenticated, TLS-verified iControl REST client ([`ClientConfig`]).
//! 2. [`topology`] — the pools, nodes and virtual servers Fulcrum expects, deserialised from the
//!    host's config ([`Topology`]) and made to exist with [`Topology::ensure`].
//! 3. [`source`] — what the box has now: member state, ratio, availability and connections
//!    ([`source::observe`]).
//! 4. [`actuator`] — per-pool change sets ([`PoolChangeSet`]) applied as one iControl REST
//!    transaction per pool, with a diff against the box first so that an unchanged pool sends no write.
//!
//! With the `sim` feature, `sim` serves a BIG-IP over HTTPS on loopback for tests, benchmarks and
//! the demo:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use fulcrum_bigip::{sim, Client, ClientConfig, Credentials, TlsOptions};
//! let running = sim::start(sim::SimOptions::default()).await?;
//! let client = Client::new(ClientConfig {
//!     tls: TlsOptions::CustomCa { pem: running.ca_pem().to_owned() },
//!     ..ClientConfig::new(running.base_url(), Credentials::new("admin", "admin"))
//! })?;
//! assert_eq!(client.version().await?, sim::DEFAULT_VERSION);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod actuator;
pub mod client;
pub mod path;
#[cfg(feature = "sim")]
pub mod sim;
pub mod source;
pub mod topology;
pub mod wire;

pub use actuator::{
    Actuator, Baseline, MemberChange, MemberState, PoolChangeSet, PoolOutcome, PoolResult,
};
pub use client::{AuthMode, Client, ClientConfig, Credentials, Error, RetryPolicy, TlsOptions};
pub use path::FullPath;
pub use topology::{EnsureReport, Topology};
