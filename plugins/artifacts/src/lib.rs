//! Paths to the policy components built from this workspace, for the host's
//! tests and benchmarks.
//!
//! The build script compiles the example policies in `plugins/` and every crate in
//! `tests/plugins/` to `wasm32-wasip2` with the `plugin` profile (release, LTO),
//! into `target/plugins/` under the workspace root, and generates one constant
//! per component holding the absolute path of its `.wasm` file:
//!
//! | constant | crate | what it does |
//! | --- | --- | --- |
//! | [`GPU_WEIGHTING`] | `plugins/gpu-weighting` | the example weighting policy |
//! | [`QUEUE_SCALING`] | `plugins/queue-scaling` | the example scaling policy |
//! | [`MIG_RESIZE`] | `plugins/mig-resize` | the example MIG policy |
//! | [`SPIN`] | `tests/plugins/spin` | `decide` loops forever |
//! | [`ALLOC_BOMB`] | `tests/plugins/alloc-bomb` | `decide` allocates without bound |
//! | [`RECURSE`] | `tests/plugins/recurse` | `decide` recurses without bound |
//! | [`TRAP`] | `tests/plugins/trap` | `decide` panics (a wasm trap) |
//! | [`BAD_OUTPUT`] | `tests/plugins/bad-output` | `decide` returns invalid actions |
//! | [`NET`] | `tests/plugins/net` | `decide` tries TCP, a name lookup or HTTP |
//! | [`PRINT`] | `tests/plugins/print` | writes to stdout and stderr |
//! | [`EMPTY`] | `tests/plugins/empty` | `decide` returns nothing |
//! | [`STATE_COUNTER`] | `tests/plugins/state-counter` | counts evaluations in state |
//! | [`CLOCK`] | `tests/plugins/clock` | reports the clock and randomness it sees |
//!
//! [`ALL`] lists them all by crate name. Each test plugin's crate docs say
//! exactly what it does and which settings it takes.
//!
//! ```no_run
//! let component = std::fs::read(fulcrum_plugin_artifacts::GPU_WEIGHTING).unwrap();
//! assert!(component.starts_with(b"\0asm"));
//! ```
//!
//! Building needs the `wasm32-wasip2` target (`rustup target add wasm32-wasip2`).
//!
//! The Python and JavaScript ports of gpu-weighting are built on first use
//! by [`interpreted`], with the toolchains `scripts/policy-toolchains`
//! installs.

pub mod interpreted;

include!(concat!(env!("OUT_DIR"), "/plugins.rs"));
