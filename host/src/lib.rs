//! Fulcrum runs load-balancing and scaling policies for GPU clusters as
//! sandboxed WebAssembly components and applies their decisions.
//!
//! Data flows one way, and the modules follow it:
//! [`sim`] (the embedded fleet a demo runs on) and [`sources`] (telemetry
//! parsed from DCGM and nvidia-smi) → [`model`] (the snapshot) →
//! [`runtime`] (policies) → [`cycle`] (one iteration, applying the decisions)
//! → [`cli`] (what the `host` binary prints).

pub mod cli;
pub mod config;
pub mod cycle;
pub mod mig;
pub mod model;
pub mod runtime;
pub mod sim;
pub mod sources;
mod wit;
