//! What the host tells operators while it runs: Prometheus metrics
//! ([`Metrics`]) and the loopback HTTP endpoint that serves them with a health
//! check ([`serve`]); text logs ([`log_format`]) and text for terminals
//! ([`SafeText`]) with every outside string neutralised.

pub mod log_format;
mod metrics;
mod safe_text;
mod server;

pub use metrics::{ActionOutcome, GuardEffect, Metrics};
pub use safe_text::{SafeText, neutralize};
pub use server::{Health, serve};
