//! End-to-end tests: the real runtime evaluating real policies, built from
//! `plugins/` and `tests/plugins/` to wasm32-wasip2, one module per topic.

mod cache;
mod containment;
mod contract;
mod engine;
mod languages;
mod mig;
mod sandbox;
mod shadow;
mod state;
mod telemetry;
