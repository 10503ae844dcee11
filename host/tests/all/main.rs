//! The `host` crate's integration tests, one binary with a module per topic
//! (one link of wasmtime instead of one per file). The tests that run the
//! `host` binary take turns ([`common::alone`]): several hosts at once on a
//! small machine would stretch the wall-clock times some of them check.

mod cli;
mod common;
mod containment;
mod contracts;
mod crash;
mod etcd_cluster;
mod ha_failover;
mod ha_fence;
mod ha_world;
mod lab;
mod metrics;
mod mig_fixtures;
mod mig_geometry;
mod mig_kube;
mod mig_rollouts;
mod network;
mod prometheus;
mod simulate;
mod stdio;
mod stop;
mod telemetry_collect;
