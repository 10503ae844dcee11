//! One evaluation: a fresh store and instance from the policy's cached
//! `InstancePre`, under its deadline and memory cap, its state in a
//! transaction that only a successful evaluation commits. Failures are
//! classified here and nowhere else.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::{Store, Trap, WasmBacktrace};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

use crate::model::{Decision, Snapshot};

use super::capabilities::Capabilities;
use super::error::EvalError;
use super::host::EvalState;
use super::limits::{Limits, MemoryLimiter};
use super::output;
use super::prepared::PreparedPolicy;
use super::sandbox::{self, Pinned, STDERR_CAPACITY};
use super::state_store::PolicyState;
use super::ticker::ticks_for;
use crate::wit::{Policy, PolicyPre, types as wit};

/// A successful evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The decisions, validated against the snapshot.
    pub decisions: Vec<Decision>,
    /// Wall time from instantiation to validated output.
    pub elapsed: Duration,
    /// Log messages the policy wrote past its per-evaluation bound.
    pub logs_dropped: u32,
}

impl PreparedPolicy {
    /// Evaluate the policy on `snapshot`. `state` is the policy's state; it
    /// keeps the evaluation's writes only if the evaluation succeeds.
    pub fn evaluate(
        &self,
        snapshot: &Snapshot,
        state: &mut PolicyState,
    ) -> Result<Evaluation, EvalError> {
        let started = Instant::now();
        let mut instance =
            Instance::start(&self.runner, snapshot.version, snapshot.time_ms, state)?;
        instance
            .configure(&self.settings)?
            .map_err(|message| EvalError::PolicyError {
                message: format!("configure: {message}"),
            })?;
        let raw = instance
            .decide(snapshot)?
            .map_err(|message| EvalError::PolicyError { message })?;
        let decisions = output::validate(raw, snapshot, &self.info.metadata.action_kinds)
            .map_err(|reason| EvalError::InvalidOutput { reason })?;
        let logs_dropped = instance.store.data().log.dropped;
        instance.commit();
        Ok(Evaluation {
            decisions,
            elapsed: started.elapsed(),
            logs_dropped,
        })
    }
}

/// Everything needed to start an instance of one policy.
#[derive(Clone)]
pub(crate) struct Runner {
    pub(crate) pre: PolicyPre<EvalState>,
    pub(crate) name: Arc<str>,
    pub(crate) limits: Limits,
    pub(crate) capabilities: Capabilities,
    /// Mixed with each snapshot's version to seed the policy's random numbers.
    pub(crate) seed: u64,
}

/// A live instance; dropping it without [`Instance::commit`] rolls its state back.
pub(crate) struct Instance<'a> {
    store: Store<EvalState>,
    bindings: Policy,
    stderr: MemoryOutputPipe,
    limits: Limits,
    state_slot: &'a mut PolicyState,
    committed: bool,
}

impl<'a> Instance<'a> {
    pub(crate) fn start(
        runner: &Runner,
        version: u64,
        time_ms: u64,
        state_slot: &'a mut PolicyState,
    ) -> Result<Self, EvalError> {
        let stderr = MemoryOutputPipe::new(STDERR_CAPACITY);
        let pinned = Pinned {
            time_ms,
            seed: runner.seed ^ version.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        };
        let wasi =
            sandbox::wasi_ctx(&runner.capabilities, &pinned, stderr.clone()).map_err(|err| {
                EvalError::Host {
                    reason: format!("{err:#}"),
                }
            })?;
        let txn = std::mem::take(state_slot).begin(runner.limits.state_quota_bytes);
        let data = EvalState::new(
            runner.name.clone(),
            wasi,
            MemoryLimiter::new(runner.limits.memory_bytes),
            txn,
        );
        let mut store = Store::new(runner.pre.engine(), data);
        store.limiter(|data| &mut data.limiter);
        store.set_epoch_deadline(ticks_for(runner.limits.deadline));
        store.epoch_deadline_trap();
        match runner.pre.instantiate(&mut store) {
            Ok(bindings) => Ok(Instance {
                store,
                bindings,
                stderr,
                limits: runner.limits,
                state_slot,
                committed: false,
            }),
            Err(err) => {
                let error = classify(err, &store, &runner.limits, &stderr);
                *state_slot = take_txn(&mut store).rollback();
                Err(error)
            }
        }
    }

    pub(crate) fn metadata(&mut self) -> Result<wit::Metadata, EvalError> {
        let result = self.bindings.call_metadata(&mut self.store);
        self.classified(result)
    }

    pub(crate) fn configure(&mut self, settings: &str) -> Result<Result<(), String>, EvalError> {
        let result = self.bindings.call_configure(&mut self.store, settings);
        self.classified(result)
    }

    pub(crate) fn decide(
        &mut self,
        snapshot: &wit::Snapshot,
    ) -> Result<Result<wit::Decisions, String>, EvalError> {
        let result = self.bindings.call_decide(&mut self.store, snapshot);
        self.classified(result)
    }

    /// Keep the state the policy wrote.
    pub(crate) fn commit(mut self) {
        self.committed = true;
    }

    fn classified<T>(&self, result: wasmtime::Result<T>) -> Result<T, EvalError> {
        result.map_err(|err| classify(err, &self.store, &self.limits, &self.stderr))
    }
}

impl Drop for Instance<'_> {
    fn drop(&mut self) {
        let txn = take_txn(&mut self.store);
        *self.state_slot = if self.committed {
            txn.commit()
        } else {
            txn.rollback()
        };
    }
}

fn take_txn(store: &mut Store<EvalState>) -> super::state_store::StateTxn {
    std::mem::replace(&mut store.data_mut().state, PolicyState::default().begin(0))
}

/// Turn a wasmtime error into the kind of failure it is.
fn classify(
    err: wasmtime::Error,
    store: &Store<EvalState>,
    limits: &Limits,
    stderr: &MemoryOutputPipe,
) -> EvalError {
    if store.data().limiter.hit {
        return EvalError::OutOfMemory {
            cap_bytes: limits.memory_bytes,
        };
    }
    match err.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => EvalError::Timeout {
            deadline: limits.deadline,
        },
        Some(trap) => EvalError::Trap {
            message: with_guest_output(trap.to_string(), stderr),
            backtrace: err
                .downcast_ref::<WasmBacktrace>()
                .map(ToString::to_string)
                .unwrap_or_default(),
        },
        None => EvalError::Host {
            reason: format!("{err:#}"),
        },
    }
}

/// Append what the policy printed to stderr (a Rust panic's message, say).
fn with_guest_output(message: String, stderr: &MemoryOutputPipe) -> String {
    let bytes = stderr.contents();
    let text = String::from_utf8_lossy(&bytes);
    let printed: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("note: run with"))
        .collect();
    if printed.is_empty() {
        message
    } else {
        format!("{message}: {}", printed.join(" "))
    }
}
