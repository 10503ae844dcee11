//! End-to-end tests of fulcrum-gce: the client against recorded Google traffic
//! and against the loopback simulator, auth flows, faults, and the simulator
//! driven by google-api-python-client.

mod aggregated;
mod auth;
mod common;
mod conformance;
mod faults;
mod fixtures;
mod members;
mod paging;
mod simulator;
