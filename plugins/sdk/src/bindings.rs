//! Bindings generated from the WIT contract in `wit/` (`fulcrum:policy/policy`).
//!
//! This module holds only the `generate!` call. Policy authors use the types
//! re-exported at the crate root and [`export_policy!`](crate::export_policy);
//! the generated `Guest` trait and `export!` macro are what that macro builds on.

#![allow(
    missing_docs,
    reason = "generated code; the WIT file documents every item"
)]

wit_bindgen::generate!({
    path: "../../wit",
    world: "fulcrum:policy/policy",
    pub_export_macro: true,
    default_bindings_module: "fulcrum_sdk::bindings",
    additional_derives: [PartialEq],
});
