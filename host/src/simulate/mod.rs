//! `host simulate`: score policies on real load traces before they touch
//! production. A request trace (or synthetic load) is replayed through a
//! simulated GPU fleet in virtual time; every cycle the fleet's telemetry
//! becomes a snapshot through the host's own [`SnapshotBuilder`], the real
//! policies take their turn in the real sandbox, the real guard holds their
//! decisions to the rails and the real planner makes the change set, which is
//! then applied to the simulated pool and instance group. Each policy (or
//! set of policies) gets its own run of the same scenario and load, beside
//! the seed's static setup, and each run ends in a [`Scorecard`].
//!
//! The model, in the order a request meets it:
//!
//! | module | what it models |
//! |---|---|
//! | `trace`, `load` | requests: a CSV trace scaled by a factor, or a synthetic Poisson process (diurnal, bursts) |
//! | `balancer` | the BIG-IP pool in `ratio-member` mode |
//! | `fleet` | node slots, the instance group (boot, stockouts), faults, advancing in virtual time |
//! | `node` | a node's queue in front of its replicas, heat and throttling, XIDs |
//! | `batching`, `replica`, `gpu` | continuous batching on one GPU or MIG instance, from datasheet rooflines |
//! | `telemetry` | what a DCGM exporter reports, into the host's snapshot |
//! | `control` | the real runtime, guard and planner, once per cycle |
//! | `metrics`, `histogram`, `scorecard`, `oracle` | what is measured, and the oracle scaling is compared with |
//! | `run` | one run, cycle by cycle |
//! | `report` | the terminal table, and the HTML page with its charts |
//!
//! Every modelling assumption, and the source of every figure, is in the
//! module that makes it; `docs/simulate.md` gathers them.
//!
//! [`SnapshotBuilder`]: crate::model::SnapshotBuilder

mod balancer;
mod batching;
mod control;
mod fleet;
mod gpu;
mod histogram;
mod load;
mod metrics;
mod node;
mod oracle;
mod replica;
pub mod report;
mod run;
pub mod scenario;
mod scorecard;
mod telemetry;
pub mod trace;

use std::path::PathBuf;

pub use control::{DEADLINE, PolicyLoadError};
pub use oracle::Oracle;
pub use run::{CycleRow, RunOutcome, START_MS};
pub use scenario::{Scenario, ScenarioError};
pub use scorecard::{Report, Scorecard};
pub use trace::TraceError;

use crate::runtime::PolicyEngine;
use load::Arrivals;
use scenario::Load;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    pub scenario: Scenario,
    /// A trace that replaces the scenario's load (scaled as the scenario's
    /// trace would be).
    pub trace: Option<PathBuf>,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Add a run of the seed's static setup.
    pub baseline: bool,
    /// Each entry is one run: the policies that run together.
    pub policy_sets: Vec<Vec<PathBuf>>,
    /// Work out the oracle, when the scenario has a group.
    pub oracle: bool,
    /// Threads nodes advance on.
    pub threads: usize,
}

/// A simulation that could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error(transparent)]
    Trace(#[from] TraceError),
    #[error(transparent)]
    Policy(#[from] PolicyLoadError),
    #[error("nothing to run: give --policy FILE.wasm, or --baseline seed")]
    NothingToRun,
}

/// Every run of one simulation.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub scenario: Scenario,
    pub seed: u64,
    pub duration_s: f64,
    pub runs: Vec<RunOutcome>,
    pub oracle: Option<Oracle>,
}

impl Simulation {
    /// The scorecards, side by side.
    pub fn report(&self) -> Report {
        Report::new(
            &self.scenario.name,
            self.seed,
            &self.scenario.slo,
            self.oracle.as_ref(),
            &self.runs,
        )
    }
}

/// The label of the seed's static setup.
pub const BASELINE: &str = "seed (static)";

/// Run every run `options` asks for; policies load into `engine`.
pub fn simulate(engine: &PolicyEngine, options: &Options) -> Result<Simulation, SimulateError> {
    if options.policy_sets.is_empty() && !options.baseline {
        return Err(SimulateError::NothingToRun);
    }
    let scenario = &options.scenario;
    let seed = options.seed.unwrap_or(scenario.seed);
    let load = match (&options.trace, &scenario.load) {
        (
            Some(path),
            Load::Trace {
                scale, jitter_s, ..
            },
        ) => Load::Trace {
            path: path.clone(),
            scale: *scale,
            jitter_s: *jitter_s,
        },
        (Some(path), Load::Synthetic(_)) => Load::Trace {
            path: path.clone(),
            scale: 1.0,
            jitter_s: 1.0,
        },
        (None, load) => load.clone(),
    };
    let trace = match &load {
        Load::Trace { path, .. } => Some(trace::read(path)?),
        Load::Synthetic(_) => None,
    };
    let duration_s = scenario.duration_s.unwrap_or_else(|| {
        let span = trace
            .as_ref()
            .and_then(|t| t.last())
            .map_or(0.0, |r| r.at_s);
        (span / 60.0).ceil().max(1.0) * 60.0
    });
    let arrivals = || match &load {
        Load::Trace {
            scale, jitter_s, ..
        } => Arrivals::replay(
            trace.as_deref().unwrap_or_default(),
            *scale,
            *jitter_s,
            seed,
        ),
        Load::Synthetic(process) => Arrivals::synthetic(process.clone(), seed),
    };
    let mut controllers = Vec::new();
    for set in &options.policy_sets {
        let loaded = set
            .iter()
            .map(|path| control::load(engine, path, scenario))
            .collect::<Result<Vec<_>, _>>()?;
        controllers.push(control::Controller::new(loaded, scenario.guard.clone()));
    }
    let mut runs = Vec::new();
    if options.baseline {
        runs.push(run::run(
            BASELINE.to_owned(),
            scenario,
            arrivals(),
            duration_s,
            None,
            options.threads,
        ));
    }
    for controller in controllers {
        let label = controller.names().join(" + ");
        runs.push(run::run(
            label,
            scenario,
            arrivals(),
            duration_s,
            Some(controller),
            options.threads,
        ));
    }
    let oracle = scenario
        .group
        .as_ref()
        .filter(|_| options.oracle)
        .map(|group| {
            let mut jobs = Vec::new();
            arrivals().take_until(duration_s, &mut jobs);
            oracle::oracle(scenario, group, &jobs, duration_s, options.threads)
        });
    Ok(Simulation {
        scenario: scenario.clone(),
        seed,
        duration_s,
        runs,
        oracle,
    })
}
