//! The policy runtime: WebAssembly components of the `fulcrum:policy` world,
//! sandboxed and bounded, run on wasmtime.
//!
//! Interfaces the host implements for policies, at contract versions 0.3.0
//! and 0.2.0 ([`Contract`]; `contract`, `world`, and `convert` for the
//! snapshot each version receives):
//! - `fulcrum:policy/log` (`host`): messages into the host's log;
//! - `fulcrum:policy/state` (`host`, `state_store`): bounded key-value state;
//! - WASI 0.2 (`wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`,
//!   `wasi:filesystem`) through `wasmtime-wasi`, over an empty context
//!   (`sandbox`) that [`Capabilities`] widen; stdout and stderr into the
//!   policy's log (`host::stdio`);
//! - the network Python and JavaScript toolchains always import,
//!   `wasi:sockets` and `wasi:http` (`types`, `outgoing-handler`): linked,
//!   every use denied (`sandbox`, `host::network`). Any other import is
//!   refused at load ([`import_access`]).
//!
//! Containment, mechanism by mechanism:
//! - guest code never runs on an async runtime thread (`guest_thread`);
//! - a component is checked before it is compiled: a regular file within
//!   [`MAX_COMPONENT_BYTES`], at most [`MAX_FUNCTIONS`] functions, only
//!   linked imports, and a contract version this host implements
//!   (`inspect`, `contract`), which also reads the toolchain that built it
//!   (`toolchain`: a Python or JavaScript policy's default limits);
//! - every call's hostcall fuel bounds what the guest can hand back, by its
//!   snapshot for `decide` (`output`); the deadline covers the whole turn,
//!   state commits and rollbacks are constant-time, and teardown happens on
//!   the reaper (`eval`, `state_store`, `reaper`);
//! - every piece of the policy's text is capped before the host keeps it
//!   (`text`, `host::log`), and failures that break the canonical ABI are the
//!   policy's invalid output.
//!
//! Using it:
//! 1. build one [`PolicyEngine`] (engine, epoch ticker, pooling allocator, cache);
//! 2. [`PolicyEngine::load`] a [`PolicySpec`] into a [`PreparedPolicy`]: compiled
//!    or read from the cache, imports checked, metadata read, settings validated;
//! 3. each cycle, call [`PreparedPolicy::evaluate`] per policy with the
//!    cycle's snapshot: a fresh instance every time.

mod cache;
mod capabilities;
mod contract;
mod convert;
mod engine;
mod error;
mod eval;
mod guest_thread;
mod host;
mod inspect;
mod limits;
mod output;
mod prepared;
mod reaper;
mod sandbox;
mod state_store;
mod text;
mod ticker;
mod toolchain;
mod world;

use guest_thread::off_runtime;

pub use cache::sha256_hex;
pub use capabilities::{
    Capabilities, DATA_DIR_GUEST_PATH, ImportAccess, NotProvided, import_access,
};
pub use contract::Contract;
pub use engine::{EngineConfig, PolicyEngine, default_cache_dir};
pub use error::{EvalError, EvalErrorKind, LoadError, MetadataError};
pub use eval::{Evaluation, Turn};
pub use host::Dropped;
pub use inspect::{MAX_COMPONENT_BYTES, MAX_FUNCTION_BYTES, MAX_FUNCTIONS, read_policy_file};
pub use limits::Limits;
pub use prepared::{InspectedPolicy, Metadata, PolicyInfo, PolicySpec, PreparedPolicy};
pub use state_store::{ENTRY_OVERHEAD_BYTES, PolicyState};
pub use text::MAX_ERROR_BYTES;
pub use toolchain::{Language, LimitsSet, Toolchain};
