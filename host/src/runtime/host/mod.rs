//! The store data of one evaluation and the Fulcrum imports it implements, at
//! every contract version the host loads: `fulcrum:policy/log` in [`log`],
//! `fulcrum:policy/state` in [`state`]. WASI
//! is served by `wasmtime-wasi` over the context from [`super::sandbox`].

mod log;
mod state;

use std::cell::Cell;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use super::limits::MemoryLimiter;
use super::state_store::StateTxn;
use crate::wit::{current, v0_2};

pub(crate) use log::LogSink;

/// Everything a policy's instance can reach during one evaluation.
pub(crate) struct EvalState {
    pub(crate) wasi: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) state: StateTxn,
    pub(crate) log: LogSink,
    /// Pieces of the policy's text cut to their cap this evaluation.
    truncated: Cell<u32>,
}

/// What the host dropped or cut of a policy's text in one evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Log messages past the per-evaluation bound.
    pub log_messages: u32,
    /// Messages, errors and backtraces cut to their cap.
    pub truncated_texts: u32,
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
            truncated: Cell::new(0),
        }
    }

    /// Count one piece of the policy's text cut to its cap.
    pub(crate) fn note_truncated(&self) {
        self.truncated.set(self.truncated.get().saturating_add(1));
    }

    pub(crate) fn dropped(&self) -> Dropped {
        Dropped {
            log_messages: self.log.dropped,
            truncated_texts: self.truncated.get().saturating_add(self.log.truncated),
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

impl current::types::Host for EvalState {}

impl v0_2::types::Host for EvalState {}
