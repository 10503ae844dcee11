//! The shared wasmtime engine: component model, epoch interruption driven by
//! the ticker, the pooling allocator, one linker with the sandbox's imports
//! (Fulcrum's at every contract version, WASI's, and `wasi:http`, which
//! denies every request),
//! and the on-disk cache of compiled policies. Built once per host process.

use std::path::PathBuf;

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use super::cache::ComponentCache;
use super::host::EvalState;
use super::limits::Limits;
use super::ticker::EpochTicker;
use crate::wit::{current, v0_2};

/// Engine-wide settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Directory for compiled policies; `None` compiles on every load.
    pub cache_dir: Option<PathBuf>,
    /// Policy instances that may be live at once (pooling allocator slots).
    pub max_instances: u32,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            cache_dir: default_cache_dir(),
            max_instances: 64,
        }
    }
}

/// `$XDG_CACHE_HOME/fulcrum` or `~/.cache/fulcrum`.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("fulcrum").join("policies"))
}

/// Compiles and runs policies.
pub struct PolicyEngine {
    engine: Engine,
    linker: Linker<EvalState>,
    cache: ComponentCache,
    _ticker: EpochTicker,
}

/// Memory of a finished instance that is reset with `memset` and kept mapped
/// rather than returned to the kernel, so the next evaluation in the slot does
/// not page-fault its way through a large snapshot again.
const KEEP_RESIDENT_BYTES: usize = 32 << 20;

/// Stack a policy may use; deep recursion traps as a stack overflow.
const MAX_WASM_STACK: usize = 512 << 10;

impl PolicyEngine {
    pub fn new(config: &EngineConfig) -> anyhow::Result<Self> {
        let engine = Engine::new(&wasmtime_config(config))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_sync(&mut linker)?;
        // Both contract versions' imports: the interface names carry the
        // version, so each policy links to its own.
        current::Policy::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
        v0_2::Policy::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
        let cache = ComponentCache::new(config.cache_dir.clone(), &engine);
        let ticker = EpochTicker::start(&engine)?;
        Ok(PolicyEngine {
            engine,
            linker,
            cache,
            _ticker: ticker,
        })
    }

    pub(crate) fn linker(&self) -> &Linker<EvalState> {
        &self.linker
    }

    pub(crate) fn component(&self, wasm: &[u8], digest: &str) -> wasmtime::Result<Component> {
        self.cache.component(&self.engine, wasm, digest)
    }
}

fn wasmtime_config(config: &EngineConfig) -> Config {
    let slots = config.max_instances.max(1);
    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .total_component_instances(slots)
        // A Rust or JS policy is a handful of core instances, memories and tables.
        .total_core_instances(slots * 16)
        .total_memories(slots * 2)
        .total_tables(slots * 4)
        .max_memory_size(Limits::MAX_MEMORY_BYTES as usize)
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        // Where the kernel has PAGEMAP_SCAN (Linux 6.7+), reset only the pages
        // an evaluation dirtied instead of the whole resident prefix.
        .pagemap_scan(Enabled::Auto);
    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .concurrency_support(false)
        .epoch_interruption(true)
        .max_wasm_stack(MAX_WASM_STACK)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    wasm
}
