//! What the host tells operators while it runs: Prometheus metrics
//! ([`Metrics`]) and the loopback HTTP endpoint that serves them with a health
//! check ([`serve`]).

mod metrics;
mod server;

pub use metrics::{ActionOutcome, GuardEffect, Metrics};
pub use server::{Health, serve};
