//! One evaluation — the policy's turn: a fresh store and instance from the
//! policy's cached `InstancePre`, under its deadline and memory cap, its
//! state on a copy that only a successful evaluation keeps. Failures are
//! classified here and nowhere else.
//!
//! The deadline covers the whole turn, not only the guest's code: what the
//! guest may hand back is bounded by its snapshot (the hostcall fuel of every
//! call), so lifting and checking it are bounded too; keeping or dropping its
//! state is constant-time; tearing the instance down happens on the reaper.
//! A turn that still ends past the deadline is a timeout.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::{Store, Trap, WasmBacktrace};

use crate::model::{Decision, Snapshot};

use super::capabilities::Capabilities;
use super::error::{EvalError, GuestError};
use super::host::{Dropped, EvalState, GuestOutput};
use super::limits::{Limits, MemoryLimiter};
use super::off_runtime;
use super::output;
use super::prepared::PreparedPolicy;
use super::reaper;
use super::sandbox::{self, Pinned};
use super::state_store::PolicyState;
use super::text::{self, MAX_BACKTRACE_BYTES, MAX_ERROR_BYTES};
use super::ticker::ticks_for;
use super::world::{World, WorldPre};
use crate::wit::current::types as wit;

/// A successful evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The decisions, validated against the snapshot.
    pub decisions: Vec<Decision>,
    /// Wall time from instantiation to validated output.
    pub elapsed: Duration,
}

/// One turn of a policy, whatever its outcome: how long the host spent on it
/// and what of the policy's text it dropped or cut.
#[derive(Debug)]
pub struct Turn {
    pub outcome: Result<Evaluation, EvalError>,
    /// Time the evaluation held its thread, from instantiation to the
    /// validated output or the classified failure.
    pub held: Duration,
    pub dropped: Dropped,
}

impl PreparedPolicy {
    /// Evaluate the policy on `snapshot`. `state` is the policy's state; it
    /// keeps the evaluation's writes only if the evaluation succeeds.
    pub fn evaluate(
        &self,
        snapshot: &Snapshot,
        state: &mut PolicyState,
    ) -> Result<Evaluation, EvalError> {
        self.turn(snapshot, state).outcome
    }

    /// [`PreparedPolicy::evaluate`], with what the turn cost.
    pub fn turn(&self, snapshot: &Snapshot, state: &mut PolicyState) -> Turn {
        off_runtime(|| self.turn_here(snapshot, state))
    }

    fn turn_here(&self, snapshot: &Snapshot, state: &mut PolicyState) -> Turn {
        let started = Instant::now();
        let deadline = self.runner.limits.deadline;
        let mut dropped = Dropped::default();
        let ran = self.run_instance(snapshot, state, &mut dropped);
        let held = started.elapsed();
        // Whatever happened in it, a turn past its deadline is a timeout: its
        // output and its state writes are not kept.
        let outcome = match ran {
            _ if held > deadline => Err(EvalError::Timeout { deadline }),
            Ok((evaluation, kept)) => {
                *state = kept;
                Ok(Evaluation {
                    elapsed: held,
                    ..evaluation
                })
            }
            Err(error) => Err(error),
        };
        Turn {
            outcome,
            held: started.elapsed(),
            dropped,
        }
    }

    /// Configure and decide in a fresh instance; the decisions and the state
    /// the policy leaves.
    fn run_instance(
        &self,
        snapshot: &Snapshot,
        state: &PolicyState,
        dropped: &mut Dropped,
    ) -> Result<(Evaluation, PolicyState), EvalError> {
        let mut instance =
            Instance::start(&self.runner, snapshot.version, snapshot.time_ms, state)?;
        let result = instance.configure(&self.settings).and_then(|configured| {
            configured.map_err(|GuestError { message }| EvalError::PolicyError {
                message: format!("configure: {message}"),
            })?;
            let fuel = output::fuel(snapshot, self.runner.limits.state_quota_bytes);
            instance
                .decide(snapshot, fuel)?
                .map_err(|GuestError { message }| EvalError::PolicyError { message })
        });
        let validated = result.and_then(|raw| {
            output::validate(raw, snapshot, &self.info.metadata.action_kinds).map_err(|error| {
                EvalError::InvalidOutput {
                    reason: error.to_string(),
                }
            })
        });
        *dropped = instance.dropped();
        let decisions = validated?;
        Ok((
            Evaluation {
                decisions,
                elapsed: Duration::ZERO,
            },
            instance.commit(),
        ))
    }
}

/// Everything needed to start an instance of one policy.
#[derive(Clone)]
pub(crate) struct Runner {
    pub(crate) pre: WorldPre,
    pub(crate) name: Arc<str>,
    pub(crate) limits: Limits,
    pub(crate) capabilities: Capabilities,
    /// Mixed with each snapshot's version to seed the policy's random numbers.
    pub(crate) seed: u64,
}

/// A live instance. Its store, with the state copy, goes to the reaper when
/// it is dropped; [`Instance::commit`] takes the state out first.
pub(crate) struct Instance {
    store: Option<Store<EvalState>>,
    world: World,
    limits: Limits,
}

/// Most bytes `metadata` and `configure` may hand back (their text, the
/// action-kind list), beside what a state write may carry.
const SMALL_CALL_FUEL: usize = 64 << 10;

/// What a guest call is, for classifying its failures.
#[derive(Clone, Copy)]
enum Call {
    Instantiate,
    Export(&'static str),
}

impl Instance {
    pub(crate) fn start(
        runner: &Runner,
        version: u64,
        time_ms: u64,
        state: &PolicyState,
    ) -> Result<Self, EvalError> {
        let output = GuestOutput::new(runner.name.clone());
        let pinned = Pinned {
            time_ms,
            seed: runner.seed ^ version.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        };
        let wasi = sandbox::wasi_ctx(&runner.capabilities, &pinned, &output).map_err(|err| {
            EvalError::Host {
                reason: format!("{err:#}"),
            }
        })?;
        let data = EvalState::new(
            runner.name.clone(),
            wasi,
            output,
            MemoryLimiter::new(runner.limits.memory_bytes),
            state.begin(runner.limits.state_quota_bytes),
        );
        let mut store = Store::new(runner.pre.engine(), data);
        store.limiter(|data| &mut data.limiter);
        store.set_epoch_deadline(ticks_for(runner.limits.deadline));
        store.epoch_deadline_trap();
        store.set_hostcall_fuel(small_call_fuel(&runner.limits));
        match runner.pre.instantiate(&mut store) {
            Ok(world) => {
                store.data().output.end_call();
                Ok(Instance {
                    store: Some(store),
                    world,
                    limits: runner.limits,
                })
            }
            Err(err) => {
                store.data().output.end_call();
                let error = classify(err, Call::Instantiate, store.data(), &runner.limits);
                reaper::discard(store);
                Err(error)
            }
        }
    }

    pub(crate) fn metadata(&mut self) -> Result<wit::Metadata, EvalError> {
        self.store_mut().set_hostcall_fuel(SMALL_CALL_FUEL);
        let (world, store) = self.parts();
        let result = world.metadata(store);
        self.classified(result, Call::Export("metadata"))
    }

    pub(crate) fn configure(
        &mut self,
        settings: &str,
    ) -> Result<Result<(), GuestError>, EvalError> {
        let (world, store) = self.parts();
        let result = world.configure(store, settings);
        self.classified(result, Call::Export("configure"))
            .map(|configured| configured.map_err(|message| self.kept_text(&message)))
    }

    /// Call `decide`; the guest may hand back at most `fuel` bytes.
    pub(crate) fn decide(
        &mut self,
        snapshot: &Snapshot,
        fuel: usize,
    ) -> Result<Result<wit::Decisions, GuestError>, EvalError> {
        self.store_mut().set_hostcall_fuel(fuel);
        let (world, store) = self.parts();
        let result = world.decide(store, snapshot);
        self.classified(result, Call::Export("decide"))
            .map(|decided| decided.map_err(|message| self.kept_text(&message)))
    }

    /// What the host dropped or cut of the policy's text so far.
    pub(crate) fn dropped(&self) -> Dropped {
        self.store().data().dropped()
    }

    /// Keep the state the policy wrote.
    pub(crate) fn commit(mut self) -> PolicyState {
        std::mem::take(&mut self.store_mut().data_mut().state).commit()
    }

    fn parts(&mut self) -> (&World, &mut Store<EvalState>) {
        let store = self
            .store
            .as_mut()
            .expect("an instance has its store until dropped");
        (&self.world, store)
    }

    fn store(&self) -> &Store<EvalState> {
        self.store
            .as_ref()
            .expect("an instance has its store until dropped")
    }

    fn store_mut(&mut self) -> &mut Store<EvalState> {
        self.store
            .as_mut()
            .expect("an instance has its store until dropped")
    }

    /// A message from the policy, cut to the error cap (and counted if cut).
    fn kept_text(&self, message: &str) -> GuestError {
        let (kept, cut) = text::capped(message, MAX_ERROR_BYTES);
        if cut {
            self.store().data().note_truncated();
        }
        GuestError { message: kept }
    }

    /// End the call: its open lines of output go to the log, and a failure
    /// is classified.
    fn classified<T>(&self, result: wasmtime::Result<T>, call: Call) -> Result<T, EvalError> {
        let data = self.store().data();
        data.output.end_call();
        result.map_err(|err| classify(err, call, data, &self.limits))
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(store) = self.store.take() {
            reaper::discard(store);
        }
    }
}

/// Fuel for the small calls: their own output, or a state write up to the quota.
fn small_call_fuel(limits: &Limits) -> usize {
    SMALL_CALL_FUEL.saturating_add(usize::try_from(limits.state_quota_bytes).unwrap_or(usize::MAX))
}

/// Turn a wasmtime error into the kind of failure it is. A failure inside a
/// call that is not a trap is the guest breaking the canonical ABI (a result
/// pointer out of bounds, a bad discriminant, text that is not UTF-8, more
/// data than its fuel): invalid output, never a host error.
fn classify(err: wasmtime::Error, call: Call, data: &EvalState, limits: &Limits) -> EvalError {
    if data.limiter.hit {
        return EvalError::OutOfMemory {
            cap_bytes: limits.memory_bytes,
        };
    }
    match (err.downcast_ref::<Trap>(), call) {
        (Some(Trap::Interrupt), _) => EvalError::Timeout {
            deadline: limits.deadline,
        },
        (Some(trap), _) => {
            let (message, cut) = text::capped(
                &with_guest_output(trap.to_string(), &data.output),
                MAX_ERROR_BYTES,
            );
            let (backtrace, backtrace_cut) = err
                .downcast_ref::<WasmBacktrace>()
                .map(backtrace_text)
                .unwrap_or_default();
            for _ in 0..u8::from(cut) + u8::from(backtrace_cut) {
                data.note_truncated();
            }
            EvalError::Trap { message, backtrace }
        }
        (None, Call::Export(export)) => {
            let (detail, _) = text::capped(&format!("{err:#}"), MAX_ERROR_BYTES);
            EvalError::InvalidOutput {
                reason: format!("`{export}` broke the canonical ABI: {detail}"),
            }
        }
        (None, Call::Instantiate) => EvalError::Host {
            reason: format!("{err:#}"),
        },
    }
}

/// The frames of a trap's backtrace, one line each, innermost first: the
/// host writes the lines, the policy's name section only the (neutralised)
/// function names. Cut at [`MAX_BACKTRACE_BYTES`]; the flag says if it was.
fn backtrace_text(backtrace: &WasmBacktrace) -> (String, bool) {
    let mut lines = Vec::new();
    let mut bytes = 0;
    for (i, frame) in backtrace.frames().iter().enumerate() {
        let name = frame.func_name().unwrap_or("<unnamed>");
        let (name, _) = text::capped(name, 128);
        let line = format!("  {i}: {name} (function {})", frame.func_index());
        bytes += line.len() + 1;
        if bytes > MAX_BACKTRACE_BYTES {
            lines.push(format!("  … {} frames in all", backtrace.frames().len()));
            return (lines.join("\n"), true);
        }
        lines.push(line);
    }
    (lines.join("\n"), false)
}

/// Append what the policy printed to stderr (a Rust panic's message, say).
fn with_guest_output(message: String, output: &GuestOutput) -> String {
    let text = output.stderr_text();
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
