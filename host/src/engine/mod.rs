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

mod collect;
mod record;
mod report;
mod slot;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::actuators;
use crate::actuators::mig::MigActuator;
use crate::actuators::mig::executor::embedded::EmbeddedExecutor;
use crate::actuators::mig::request::check_geometry;
use crate::actuators::mig::rollouts::MigRollouts;
use crate::backends::Backends;
use crate::config::RunConfig;
use crate::error_chain::with_causes;
use crate::guard::{self, GuardClocks, GuardContext, GuardRails, PolicyProposal};
use crate::model::Snapshot;
use crate::observe::{ActionOutcome, GuardEffect, Metrics};
use crate::plan::Plan;
use crate::runtime::{Dropped, PolicyEngine};
use crate::sources::{NodeIdentity, TelemetryCollector};
use crate::store::Store;

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
    metrics: Metrics,
    /// Policy state, clocks, intents and the audit log; `None` keeps them in
    /// memory only.
    store: Option<Store>,
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
        let mut policies = config
            .policies
            .iter()
            .map(|policy| PolicySlot::load(&runtime, policy.clone()))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let (mut clocks, mut version) = (GuardClocks::default(), 0);
        if let Some(store) = &store {
            for intent in store.incomplete_intents()? {
                tracing::warn!(
                    cycle = intent.cycle,
                    planned = intent.planned.len(),
                    "the last run stopped while applying; the next cycle re-reads what it left"
                );
                store.close_interrupted(
                    &intent,
                    "the host stopped while applying; the next cycle re-read the observed state and planned from it",
                )?;
            }
            for slot in &mut policies {
                slot.state = store.load_policy_state(slot.name())?;
            }
            clocks = store.load_clocks()?;
            version = store.next_cycle()? - 1;
        }
        let mig = match &config.mig {
            Some(mig) => Some(MigActuator {
                rollouts: MigRollouts::restore(
                    mig.settings(),
                    match &store {
                        Some(store) => store.load_mig_rollouts()?,
                        None => Default::default(),
                    },
                ),
                executor: mig.executor(mig_executor).map_err(anyhow::Error::msg)?,
            }),
            None => None,
        };
        let telemetry = TelemetryCollector::new(config.telemetry.clone())
            .map_err(|errors| anyhow::anyhow!("telemetry: {}", errors.0.join("; ")))?;
        Ok(Engine {
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
            clocks,
            metrics,
            store,
            mig,
            quarantine_after: config.engine.quarantine_after,
            reload_requested: false,
            version,
        })
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
        self.start_reloads();
        let collected = collect::collect(
            &self.backends,
            &mut self.telemetry,
            &mut self.known_nodes,
            &self.signals,
            self.version,
            now_ms,
        )
        .await;
        let mut timings = StageTimings {
            collect: started.elapsed(),
            ..StageTimings::default()
        };
        for &(backend, reads, failed) in &collected.backend_reads {
            self.metrics.backend(backend, reads, failed);
        }
        let mut source_errors = Vec::with_capacity(collected.errors.len());
        for error in &collected.errors {
            let error_text = with_causes(error);
            tracing::warn!(cycle = self.version, error = %error_text, "source failed");
            self.metrics.source_error(error.source_kind());
            source_errors.push(error_text);
        }
        // Reloads that finished while the cycle collected take part in it.
        let reloads = self.finish_reloads();
        let snapshot = collected.snapshot;
        let mark = Instant::now();
        let (snapshot, runs) = self.evaluate(snapshot, now_ms, mode).await;
        timings.evaluate = mark.elapsed();
        let mark = Instant::now();
        let proposals: Vec<PolicyProposal<'_>> = self
            .policies
            .iter()
            .zip(&runs)
            .filter_map(|(slot, run)| match &run.outcome {
                RunOutcome::Evaluated(evaluation) => Some(PolicyProposal {
                    policy: slot.name(),
                    priority: slot.config.priority,
                    grants: &slot.config.grants,
                    decisions: &evaluation.decisions,
                }),
                _ => None,
            })
            .collect();
        let geometry = check_geometry;
        let held = self.mig.as_ref().map(MigActuator::held).unwrap_or_default();
        let guarded = guard::check(
            &snapshot,
            &proposals,
            &self.clocks,
            &GuardContext {
                rails: &self.rails,
                geometry: &geometry,
                held: &held,
                now_ms,
            },
        );
        for rejection in &guarded.rejected {
            tracing::info!(cycle = self.version, %rejection, "action rejected");
            self.metrics.action(
                &rejection.policy,
                rejection.decision.action.kind().name(),
                ActionOutcome::Rejected,
            );
            self.metrics.guard_rule(
                &rejection.policy,
                rejection.rule.name(),
                GuardEffect::Rejected,
            );
        }
        for accepted in &guarded.accepted {
            for clamp in &accepted.clamps {
                tracing::info!(cycle = self.version, policy = %accepted.policy, target = %accepted.target, rule = %clamp.rule, detail = %clamp.detail, "action held back");
                self.metrics
                    .guard_rule(&accepted.policy, clamp.rule.name(), GuardEffect::HeldBack);
            }
        }
        let plan = Plan::new(
            &snapshot,
            guarded
                .accepted
                .iter()
                .map(|a| (a.policy.as_str(), &a.decision)),
        );
        timings.guard_and_plan = mark.elapsed();
        let mut mig_events = Vec::new();
        let applied = match mode {
            Mode::DryRun => None,
            Mode::Apply => {
                let states: Vec<(&str, &crate::runtime::PolicyState)> =
                    self.policies.iter().map(|p| (p.name(), &p.state)).collect();
                let state = crate::store::CycleState {
                    policies: &states,
                    clocks: Some(&guarded.clocks),
                };
                let mark = Instant::now();
                // Hashing the snapshot serializes all of it: only worth it
                // when there is a store to record it in.
                let digest = match &self.store {
                    Some(_) => crate::store::inputs_digest(&snapshot),
                    None => String::new(),
                };
                let intent = match &self.store {
                    Some(store) if !plan.is_empty() => {
                        record::intent(store, self.version, now_ms, &digest, &plan, &state)
                    }
                    _ => Ok(()),
                };
                timings.record = mark.elapsed();
                let mark = Instant::now();
                let mut results = match intent {
                    Ok(()) => actuators::apply(&self.backends, &plan).await,
                    // Never apply what could not be recorded first.
                    Err(error) => vec![Err(error); plan.changes.len()],
                };
                if let Some(mig) = &mut self.mig {
                    let events = mig
                        .cycle(
                            &self.backends,
                            self.store.as_ref(),
                            &snapshot,
                            &plan,
                            &mut results,
                            now_ms,
                        )
                        .await;
                    for event in &events {
                        tracing::info!(cycle = self.version, %event, "mig");
                    }
                    mig_events = events;
                }
                timings.apply = mark.elapsed();
                let mark = Instant::now();
                for (planned, result) in plan.changes.iter().zip(&results) {
                    self.metrics
                        .backend(planned.change.backend(), 1, u64::from(result.is_err()));
                    let outcome = match result {
                        Ok(()) => ActionOutcome::Applied,
                        Err(error) => {
                            tracing::warn!(cycle = self.version, change = %planned.change, error = %with_causes(error), "change failed");
                            ActionOutcome::Failed
                        }
                    };
                    self.metrics
                        .action(&planned.policy, planned.change.kind(), outcome);
                }
                if let Some(store) = &self.store {
                    record::complete(
                        store,
                        &record::Cycle {
                            version: self.version,
                            now_ms,
                            digest,
                            snapshot: &snapshot,
                            runs: &runs,
                            accepted: &guarded.accepted,
                            rejected: &guarded.rejected,
                            plan: &plan,
                            results: &results,
                            source_errors: &source_errors,
                        },
                        &state,
                    );
                }
                timings.record += mark.elapsed();
                self.clocks = guarded.clocks.clone();
                Some(results)
            }
        };
        self.metrics.cycle(started.elapsed());
        CycleReport {
            version: self.version,
            snapshot,
            runs,
            accepted: guarded.accepted,
            rejected: guarded.rejected,
            plan,
            applied,
            source_errors,
            reloads,
            mig_events,
            timings,
        }
    }

    /// Evaluate every due, unquarantined policy on `snapshot`. Evaluations
    /// are CPU-bound for up to their deadline, so they leave the async
    /// runtime; each policy runs on a thread of its own, so one that uses its
    /// whole deadline delays no other.
    async fn evaluate(
        &mut self,
        snapshot: Snapshot,
        now_ms: u64,
        mode: Mode,
    ) -> (Snapshot, Vec<PolicyRun>) {
        let mut outcomes: Vec<Option<RunOutcome>> = Vec::with_capacity(self.policies.len());
        let mut jobs = Vec::new();
        for (index, slot) in self.policies.iter_mut().enumerate() {
            if let Some(reason) = &slot.quarantined {
                outcomes.push(Some(RunOutcome::Quarantined(reason.clone())));
            } else if now_ms < slot.next_due_ms {
                outcomes.push(Some(RunOutcome::NotDue));
            } else {
                slot.next_due_ms =
                    now_ms + slot.config.interval.map_or(0, |i| i.as_millis() as u64);
                outcomes.push(None);
                jobs.push((index, slot.prepared.clone(), slot.state.clone()));
            }
        }
        let snapshot = Arc::new(snapshot);
        let shared = Arc::clone(&snapshot);
        let evaluated = tokio::task::spawn_blocking(move || {
            std::thread::scope(|scope| {
                let running: Vec<_> = jobs
                    .into_iter()
                    .map(|(index, policy, mut state)| {
                        let shared = &shared;
                        scope.spawn(move || {
                            let turn = policy.turn(shared, &mut state);
                            (index, turn, state)
                        })
                    })
                    .collect();
                running
                    .into_iter()
                    .map(|thread| {
                        thread
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect::<Vec<_>>()
            })
        })
        .await
        .unwrap_or_else(|join_error| std::panic::resume_unwind(join_error.into_panic()));
        let mut costs = vec![(Duration::ZERO, Dropped::default()); self.policies.len()];
        let snapshot = Arc::try_unwrap(snapshot).unwrap_or_else(|shared| (*shared).clone());
        for (index, turn, state) in evaluated {
            let slot = &mut self.policies[index];
            let policy = slot.name().to_owned();
            self.metrics.dropped(&policy, turn.dropped);
            costs[index] = (turn.held, turn.dropped);
            outcomes[index] = Some(match turn.outcome {
                Ok(evaluation) => {
                    // A dry run must not keep the policy's state writes.
                    if mode == Mode::Apply {
                        slot.state = state;
                    }
                    self.metrics.evaluation(&policy, evaluation.elapsed, None);
                    for decision in &evaluation.decisions {
                        self.metrics.action(
                            &policy,
                            decision.action.kind().name(),
                            ActionOutcome::Proposed,
                        );
                    }
                    slot.failures = 0;
                    RunOutcome::Evaluated(evaluation)
                }
                Err(error) => {
                    let kind = error.kind().name();
                    self.metrics.evaluation(&policy, turn.held, Some(kind));
                    slot.failures += 1;
                    tracing::warn!(%policy, kind, failures = slot.failures, %error, "evaluation failed; keeping what it last applied");
                    if slot.failures >= self.quarantine_after {
                        let reason =
                            format!("{} failures in a row, the last: {error}", slot.failures);
                        tracing::error!(%policy, %reason, "policy quarantined");
                        self.metrics.quarantined(&policy, true);
                        slot.quarantined = Some(reason);
                    }
                    RunOutcome::Failed(error.to_string())
                }
            });
        }
        let runs = self
            .policies
            .iter()
            .zip(outcomes)
            .zip(costs)
            .map(|((slot, outcome), (held, dropped))| PolicyRun {
                policy: slot.name().to_owned(),
                outcome: outcome.expect("every policy has an outcome"),
                held,
                dropped,
            })
            .collect();
        (snapshot, runs)
    }

    /// Start reloading the policies whose files changed, or all on request.
    fn start_reloads(&mut self) {
        let all = std::mem::take(&mut self.reload_requested);
        for slot in &mut self.policies {
            if !slot.reloading() && (all || slot.changed_on_disk()) {
                slot.start_reload(&self.runtime);
            }
        }
    }

    /// Swap in the reloads that have finished; one line per finished reload.
    fn finish_reloads(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        for slot in &mut self.policies {
            let Some(reloaded) = slot.finish_reload() else {
                continue;
            };
            let name = slot.name().to_owned();
            match reloaded {
                Ok(()) => {
                    self.metrics.quarantined(&name, false);
                    tracing::info!(policy = %name, path = %slot.config.spec.path.display(), "policy reloaded");
                    lines.push(format!(
                        "{name}: reloaded {}",
                        slot.config.spec.path.display()
                    ));
                }
                Err(error) => {
                    tracing::error!(policy = %name, error = %format!("{error:#}"), "reload failed; the running version stays");
                    lines.push(format!(
                        "{name}: reload failed, the running version stays: {error:#}"
                    ));
                }
            }
        }
        lines
    }
}
