//! The store data of one evaluation and the imports it implements, at every
//! contract version the host loads: `fulcrum:policy/log` in [`log`],
//! `fulcrum:policy/state` in [`state`], the policy's stdout and stderr in
//! [`stdio`], `wasi:http` (denied) in [`network`]. The rest of WASI is served
//! by `wasmtime-wasi` over the context from [`super::sandbox`].

mod log;
mod network;
mod state;
mod stdio;

use std::cell::Cell;
use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::WasiHttpCtx;

use super::limits::MemoryLimiter;
use super::state_store::StateTxn;
use crate::wit::{current, v0_2};

pub(crate) use log::LogSink;
use network::DenyHttp;
pub(crate) use stdio::{GuestOutput, Stream};

/// Everything a policy's instance can reach during one evaluation.
pub(crate) struct EvalState {
    pub(crate) wasi: WasiCtx,
    http: WasiHttpCtx,
    deny_http: DenyHttp,
    pub(crate) table: ResourceTable,
    pub(crate) limiter: MemoryLimiter,
    pub(crate) state: StateTxn,
    pub(crate) log: LogSink,
    /// What the policy writes to stdout and stderr.
    pub(crate) output: GuestOutput,
    /// Pieces of the policy's text cut to their cap this evaluation.
    truncated: Cell<u32>,
}

/// What the host dropped or cut of a policy's text in one evaluation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dropped {
    /// Log messages and lines of stdout and stderr past the per-evaluation
    /// bounds.
    pub log_messages: u32,
    /// Messages, lines of output, errors and backtraces cut to their cap.
    pub truncated_texts: u32,
}

impl EvalState {
    pub(crate) fn new(
        policy: Arc<str>,
        wasi: WasiCtx,
        output: GuestOutput,
        limiter: MemoryLimiter,
        state: StateTxn,
    ) -> Self {
        EvalState {
            wasi,
            http: WasiHttpCtx::new(),
            deny_http: DenyHttp,
            table: ResourceTable::new(),
            limiter,
            state,
            log: LogSink::new(policy),
            output,
            truncated: Cell::new(0),
        }
    }

    /// Count one piece of the policy's text cut to its cap.
    pub(crate) fn note_truncated(&self) {
        self.truncated.set(self.truncated.get().saturating_add(1));
    }

    pub(crate) fn dropped(&self) -> Dropped {
        let (output_dropped, output_truncated) = self.output.dropped_and_truncated();
        Dropped {
            log_messages: self.log.dropped.saturating_add(output_dropped),
            truncated_texts: self
                .truncated
                .get()
                .saturating_add(self.log.truncated)
                .saturating_add(output_truncated),
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
