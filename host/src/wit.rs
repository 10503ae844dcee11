//! Rust bindings generated from the WIT contract in `wit/`; the only place
//! `bindgen!` runs. The contract's snapshot types are the host's cluster model
//! ([`crate::model`] re-exports them and adds accessors), so a snapshot
//! crosses into a policy without conversion; the world's bindings are used by
//! [`crate::runtime`].

wasmtime::component::bindgen!({
    path: "../wit",
    world: "fulcrum:policy/policy",
    additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
});

pub use fulcrum::policy::{log, state, types};
