//! Host bindings generated from `wit/`; the only place `bindgen!` runs.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "fulcrum:policy/policy",
});

pub use fulcrum::policy::{log, state, types};
