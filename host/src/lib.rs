//! Fulcrum runs load-balancing and scaling policies for GPU clusters as
//! sandboxed WebAssembly components and applies their decisions.
//!
//! Data flows one way, and the modules follow it:
//!
//! [`sources`] (GPU telemetry, BIG-IP pools, GCE groups) → [`model`] (the
//! snapshot) → [`runtime`] (policies, sandboxed) → [`guard`] (grants and
//! guard rails) → [`plan`] (the minimal change set) → [`actuators`] (BIG-IP,
//! GCE, MIG layouts) → [`observe`] (metrics) and the store. MIG geometry is
//! the `fulcrum-mig` crate's, shared with the `mig-resize` policy.
//!
//! [`engine`] runs that flow once per cycle; [`ha`] elects the one replica
//! of a deployment that runs it, on etcd; [`backends`] holds the clients
//! sources and actuators share; [`error_chain`] spells out why a request
//! failed; [`config`] is the file that sets it all up;
//! [`lab`] tries policies on test fixtures away from production;
//! [`demo`] and [`sim`] are the embedded fleet and simulators the demo runs
//! on, wired in through the same seams production uses (production code
//! never imports them); [`cli`] is the `host` binary.

pub mod actuators;
pub mod backends;
mod blocking;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod error_chain;
pub mod guard;
pub mod ha;
pub mod lab;
pub mod model;
pub mod observe;
pub mod plan;
pub mod runtime;
pub mod sim;
pub mod simulate;
pub mod sources;
pub mod store;
pub mod subprocess;
pub mod tls;
mod wit;
