//! The policy runtime: WebAssembly components of the `fulcrum:policy` world,
//! sandboxed and bounded, run on wasmtime.
//!
//! Interfaces the host implements for policies:
//! - `fulcrum:policy/log` (`host`): messages into the host's log;
//! - `fulcrum:policy/state` (`host`, `state_store`): bounded key-value state;
//! - WASI 0.2 (`wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`,
//!   `wasi:filesystem`) through `wasmtime-wasi`, over an empty context
//!   (`sandbox`) that [`Capabilities`] widen. Any other import is refused at load.
//!
//! Using it:
//! 1. build one [`PolicyEngine`] (engine, epoch ticker, pooling allocator, cache);
//! 2. [`PolicyEngine::load`] a [`PolicySpec`] into a [`PreparedPolicy`]: compiled
//!    or read from the cache, imports checked, metadata read, settings validated;
//! 3. each cycle, call [`PreparedPolicy::evaluate`] per policy with the
//!    cycle's snapshot: a fresh instance every time.

mod cache;
mod capabilities;
mod convert;
mod engine;
mod error;
mod eval;
mod host;
mod limits;
mod output;
mod prepared;
mod sandbox;
mod state_store;
mod ticker;

pub use cache::sha256_hex;
pub use capabilities::{Capabilities, DATA_DIR_GUEST_PATH};
pub use engine::{EngineConfig, PolicyEngine, default_cache_dir};
pub use error::{EvalError, EvalErrorKind, LoadError};
pub use eval::Evaluation;
pub use limits::Limits;
pub use prepared::{Metadata, PolicyInfo, PolicySpec, PreparedPolicy};
pub use state_store::PolicyState;
