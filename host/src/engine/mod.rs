//! The control loop, one cycle at a time, its stages in data-flow order:
//! collect (sources → snapshot), evaluate the due policies, guard (grants and
//! rails, conflicts by priority), plan (the minimal change set), apply
//! (actuators) and record (store, audit, metrics).
//!
//! A policy that fails keeps what it last applied (fail-static: nothing of
//! its is planned that cycle) and is quarantined after
//! `engine.quarantine_after` failures in a row, with the reason shown until a
//! changed file is loaded. A changed policy file, or [`Engine::request_reload`]
//! (SIGHUP), loads the new component on a thread of its own while the
//! running one keeps its interval; the new one takes over at the first cycle
//! after it is ready, and if it fails to load or configure, the running one
//! stays and the error is reported.
//!
//! A replica's engine ([`Engine::replicate`]) keeps its state in etcd and
//! applies only under its [`Leadership`]: the apply stage confirms the lead
//! first and applies nothing when it cannot; each time the replica takes the
//! lead it reads the shared state in again ([`Engine::restore`]).

mod apply;
mod collect;
mod decide;
mod evaluate;
mod record;
mod reload;
mod report;
mod shadow;
mod slot;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::actuators::mig::MigActuator;
use crate::actuators::mig::executor::embedded::EmbeddedExecutor;
use crate::actuators::mig::rollouts::MigRollouts;
use crate::backends::Backends;
use crate::config::RunConfig;
use crate::error_chain::with_causes;
use crate::guard::{GuardClocks, GuardOutcome, GuardRails};
use crate::ha::Leadership;
use crate::model::Snapshot;
use crate::observe::{
    BackendRead, CycleFinished, InterruptedCycleClosed, Metrics, Observer, SourceFailed,
};
use crate::runtime::PolicyEngine;
use crate::sources::{NodeIdentity, TelemetryCollector};
use crate::store::{StateBackend, StateError, Store};

pub use report::{CycleReport, PolicyRun, RunOutcome, StageTimings};
pub use slot::PolicySlot;

/// Whether a cycle applies its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Apply,
    /// Plan, print, apply nothing, and keep no clocks or state.
    DryRun,
}

/// Everything the control loop holds between cycles.
pub struct Engine {
    runtime: Arc<PolicyEngine>,
    policies: Vec<PolicySlot>,
    backends: Backends,
    telemetry: TelemetryCollector,
    /// The nodes the last cycle found, whose telemetry the next cycle reads
    /// while it reads the backends.
    known_nodes: Vec<NodeIdentity>,
    signals: BTreeMap<String, f64>,
    rails: GuardRails,
    clocks: GuardClocks,
    observer: Observer,
    /// Policy state, clocks, intents and the audit log; `None` keeps them in
    /// memory only.
    state: Option<Arc<dyn StateBackend>>,
    /// A replica's lead, confirmed before applying; `None` for a host
    /// running alone.
    leadership: Option<Leadership>,
    /// MIG rollouts, when `[mig]` is configured.
    mig: Option<MigActuator>,
    quarantine_after: u32,
    reload_requested: bool,
    version: u64,
}

impl Engine {
    /// Load every policy `config` names and get ready to run against
    /// `backends`. With a store, the policies' state, the guard clocks and the
    /// cycle count carry on from where the last run left them; a cycle the
    /// last run was applying when it stopped is closed in the audit log as
    /// interrupted, and the first cycle re-reads what it left.
    pub fn new(
        runtime: PolicyEngine,
        config: &RunConfig,
        backends: Backends,
        metrics: Metrics,
        store: Option<Store>,
        mig_executor: Option<EmbeddedExecutor>,
    ) -> anyhow::Result<Engine> {
        let policies = config
            .policies
            .iter()
            .map(|policy| PolicySlot::load(&runtime, policy.clone()))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let mig = match &config.mig {
            Some(mig) => Some(MigActuator {
                rollouts: MigRollouts::new(mig.settings()),
                executor: mig.executor(mig_executor).map_err(anyhow::Error::msg)?,
            }),
            None => None,
        };
        let telemetry = TelemetryCollector::new(config.telemetry.clone())?;
        let mut engine = Engine {
            runtime: Arc::new(runtime),
            policies,
            backends,
            telemetry,
            known_nodes: Vec::new(),
            signals: config
                .signals
                .iter()
                .map(|s| (s.name.clone(), s.value))
                .collect(),
            rails: config.guard.clone(),
            clocks: GuardClocks::default(),
            observer: Observer::new(metrics),
            state: store.map(|store| Arc::new(store) as Arc<dyn StateBackend>),
            leadership: None,
            mig,
            quarantine_after: config.engine.quarantine_after,
            reload_requested: false,
            version: 0,
        };
        engine.restore()?;
        Ok(engine)
    }

    /// Run as a replica: keep the state in `state` (shared, under the
    /// fence) and apply only while `leadership` confirms the lead. Nothing
    /// is read until the replica takes the lead ([`Engine::restore`]).
    pub fn replicate(&mut self, state: Arc<dyn StateBackend>, leadership: Leadership) {
        self.state = Some(state);
        self.leadership = Some(leadership);
    }

    /// Read in what the state holds: close the cycles left interrupted,
    /// then take the policies' state, the guard clocks, the cycle count and
    /// the MIG rollouts from it. A host running alone does this once, as it
    /// starts; a replica each time it takes the lead, since another replica
    /// may have led meanwhile.
    pub fn restore(&mut self) -> Result<(), StateError> {
        let Some(state) = &self.state else {
            return Ok(());
        };
        for intent in state.incomplete_intents()? {
            self.observer.emit(InterruptedCycleClosed {
                cycle: intent.cycle,
                planned: intent.planned.len(),
            });
            state.close_interrupted(
                &intent,
                "the host stopped while applying; the next cycle re-read the observed state and planned from it",
            )?;
        }
        for slot in &mut self.policies {
            slot.state = state.load_policy_state(&slot.state_key())?;
        }
        self.clocks = state.load_clocks()?;
        self.version = state.next_cycle()? - 1;
        if let Some(mig) = &mut self.mig {
            mig.rollouts =
                MigRollouts::restore(mig.rollouts.settings(), state.load_mig_rollouts()?);
        }
        Ok(())
    }

    /// The loaded policies, in configuration order.
    pub fn policies(&self) -> &[PolicySlot] {
        &self.policies
    }

    /// The MIG rollouts in progress, when `[mig]` is configured.
    pub fn mig_rollouts(&self) -> Option<&MigRollouts> {
        self.mig.as_ref().map(|mig| &mig.rollouts)
    }

    /// Unload every policy: cycles then only collect (`host snapshot`).
    pub fn clear_policies(&mut self) {
        self.policies.clear();
    }

    /// Set demand signal `name` for the cycles to come.
    pub fn set_signal(&mut self, name: &str, value: f64) {
        self.signals.insert(name.to_owned(), value);
    }

    /// Reload every policy at the start of the next cycle (SIGHUP).
    pub fn request_reload(&mut self) {
        self.reload_requested = true;
    }

    /// Run one cycle at `now_ms` (ms since the Unix epoch).
    pub async fn cycle(&mut self, now_ms: u64, mode: Mode) -> CycleReport {
        let started = Instant::now();
        self.version += 1;
        let mut timings = StageTimings::default();
        let reload_all = std::mem::take(&mut self.reload_requested);
        reload::start(&self.runtime, &mut self.policies, reload_all).await;
        let (snapshot, source_errors) = timed(&mut timings.collect, self.collect(now_ms)).await;
        // Reloads that finished while the cycle collected take part in it.
        let reloads = reload::finish(&mut self.policies, &self.observer);
        let settings = evaluate::Settings {
            now_ms,
            mode,
            quarantine_after: self.quarantine_after,
        };
        let snapshot = Arc::new(snapshot);
        let runs = timed(
            &mut timings.evaluate,
            evaluate::evaluate(&mut self.policies, &snapshot, &settings, &self.observer),
        )
        .await;
        let snapshot = Arc::try_unwrap(snapshot).unwrap_or_else(|shared| (*shared).clone());
        let mark = Instant::now();
        let held = self.mig.as_ref().map(MigActuator::held).unwrap_or_default();
        let rules = decide::Rules {
            rails: &self.rails,
            clocks: &self.clocks,
            held: &held,
            now_ms,
        };
        let (guarded, plan) = decide::decide(
            self.version,
            &snapshot,
            &self.policies,
            &runs,
            &rules,
            &self.observer,
        );
        let shadows = shadow::compare(
            self.version,
            &snapshot,
            &self.policies,
            &runs,
            &rules,
            &plan,
            &self.observer,
        );
        timings.guard_and_plan = mark.elapsed();
        let GuardOutcome {
            accepted,
            rejected,
            clocks,
        } = guarded;
        let report = CycleReport {
            version: self.version,
            snapshot,
            runs,
            accepted,
            rejected,
            plan,
            applied: None,
            source_errors,
            reloads,
            mig_events: Vec::new(),
            shadows,
            timings,
        };
        let report = match mode {
            Mode::DryRun => report,
            Mode::Apply => self.apply(report, clocks, now_ms).await,
        };
        self.observer.emit(CycleFinished {
            took: started.elapsed(),
        });
        report
    }

    /// Read the backends and telemetry into this cycle's snapshot; each
    /// source that failed is reported and named, with its causes.
    async fn collect(&mut self, now_ms: u64) -> (Snapshot, Vec<String>) {
        let collected = collect::collect(
            &self.backends,
            &mut self.telemetry,
            &mut self.known_nodes,
            &self.signals,
            self.version,
            now_ms,
        )
        .await;
        for &(backend, reads, failed) in &collected.backend_reads {
            self.observer.emit(BackendRead {
                backend,
                reads,
                failed,
            });
        }
        let source_errors = collected
            .errors
            .iter()
            .map(|error| {
                let text = with_causes(error);
                self.observer.emit(SourceFailed {
                    cycle: self.version,
                    source: error.source_kind(),
                    error: &text,
                });
                text
            })
            .collect();
        (collected.snapshot, source_errors)
    }
}

/// Await `stage`, adding the time it took to `took`.
async fn timed<F: Future>(took: &mut Duration, stage: F) -> F::Output {
    let mark = Instant::now();
    let output = stage.await;
    *took += mark.elapsed();
    output
}
