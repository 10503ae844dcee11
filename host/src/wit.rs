//! Rust bindings generated from the WIT contracts in `wit/`; the only place
//! `bindgen!` runs. The host implements two versions of `fulcrum:policy`:
//!
//! - [`current`], `fulcrum:policy@0.3.0` (`wit/types.wit`): every number
//!   column of the snapshot packed into bytes;
//! - [`v0_2`], `fulcrum:policy@0.2.0` (`wit/v0.2.0/types.wit`), deprecated:
//!   the same snapshot with one list element per number. Its snapshot types
//!   are also the host's cluster model ([`crate::model`] re-exports them and
//!   adds accessors), so a 0.2.0 policy gets the snapshot without conversion
//!   and a 0.3.0 policy gets it packed by [`crate::runtime`].

/// `fulcrum:policy@0.3.0`, the contract policies are built against.
pub mod current {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "fulcrum:policy/policy",
        additional_derives: [PartialEq],
    });

    pub use fulcrum::policy::{log, state, types};
}

/// `fulcrum:policy@0.2.0`, still loaded but deprecated; its unpacked
/// snapshot is the host's model.
pub mod v0_2 {
    wasmtime::component::bindgen!({
        path: "../wit/v0.2.0",
        world: "fulcrum:policy/policy",
        additional_derives: [PartialEq, serde::Serialize, serde::Deserialize],
    });

    pub use fulcrum::policy::{log, state, types};
}
