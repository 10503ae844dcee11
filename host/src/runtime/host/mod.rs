//! The store data of one evaluation and the Fulcrum imports it implements:
//! `fulcrum:policy/log` in [`log`], `fulcrum:policy/state` in [`state`]. WASI
//! is served by `wasmtime-wasi` over the context from [`super::sandbox`].

mod log;
mod state;

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limits::MemoryLimiter;
use super::state_store::StateTxn;
use crate::wit::types;

pub(crate) use log::LogSink;

/// Everything a policy's instance can reach during one evaluation.
pub(crate) struct EvalState {
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) state: StateTxn,
    pub(crate) log: LogSink,
}

impl EvalState {
    pub(crate) fn new(
        policy: Arc<str>,
        wasi: WasiCtx,
        limiter: MemoryLimiter,
        state: StateTxn,
    ) -> Self {
        EvalState {
            wasi,
            table: ResourceTable::new(),
            limiter,
            state,
            log: LogSink::new(policy),
        }
    }
}

impl WasiView for EvalState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for EvalState {}
