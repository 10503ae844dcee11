//! The host's own decision path, once per simulated cycle: each policy's
//! turn in the real sandbox ([`PreparedPolicy::turn`], its state kept from
//! turn to turn), the real guard ([`guard::check`]: grants, conflicts by
//! priority, the scenario's rails, stabilization and cool-downs on the
//! virtual clock), and the real planner ([`Plan::new`]).
//!
//! Policies named on the command line are granted every action on every
//! target, as `host run --policy` grants them. A policy whose turn fails
//! proposes nothing that cycle (fail-static), as in the engine. Their
//! deadline is [`DEADLINE`]: the sandbox's clock reads the snapshot's virtual
//! time, and a run must not depend on how busy the machine is, so the
//! deadline is there to stop a runaway policy, not to time a fast one.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::actuators::mig::request::check_geometry;
use crate::guard::{self, Grants, GuardClocks, GuardContext, GuardRails, Held, PolicyProposal};
use crate::model::{Decision, Snapshot};
use crate::plan::Plan;
use crate::runtime::{
    Limits, LimitsSet, LoadError, PolicyEngine, PolicySpec, PolicyState, PreparedPolicy,
};

use super::scenario::Scenario;

/// Each policy turn's deadline in a simulation.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A policy that could not be loaded for a simulation.
#[derive(Debug, thiserror::Error)]
#[error("policy {}", path.display())]
pub struct PolicyLoadError {
    pub path: PathBuf,
    #[source]
    pub source: LoadError,
}

/// One policy, loaded with its scenario settings.
pub struct Loaded {
    pub prepared: PreparedPolicy,
    pub priority: i32,
    state: PolicyState,
}

/// Load the policy at `path` with the settings `scenario` gives its name.
pub fn load(
    engine: &PolicyEngine,
    path: &Path,
    scenario: &Scenario,
) -> Result<Loaded, PolicyLoadError> {
    let failed = |source| PolicyLoadError {
        path: path.to_owned(),
        source,
    };
    let info = engine.inspect(path).map_err(failed)?;
    let options = scenario.policies.get(&info.metadata.name);
    let spec = PolicySpec {
        settings: options.map_or_else(|| serde_json::json!({}), |o| o.settings.clone()),
        limits: Limits {
            deadline: DEADLINE,
            ..Limits::default()
        },
        limits_set: LimitsSet {
            deadline: true,
            memory: false,
        },
        ..PolicySpec::new(path)
    };
    let prepared = engine.load(&spec).map_err(failed)?;
    Ok(Loaded {
        prepared,
        priority: options.map_or(0, |o| o.priority),
        state: PolicyState::default(),
    })
}

/// What one cycle decided.
#[derive(Debug)]
pub struct Decided {
    pub plan: Plan,
    /// The rule of every action the guard rejected.
    pub rejected: Vec<&'static str>,
    /// Policies whose turn failed, with why.
    pub failures: Vec<String>,
}

/// The policies of one run and the guard's memory between cycles.
pub struct Controller {
    policies: Vec<Loaded>,
    rails: GuardRails,
    clocks: GuardClocks,
    grants: Grants,
}

impl Controller {
    pub fn new(policies: Vec<Loaded>, rails: GuardRails) -> Controller {
        Controller {
            policies,
            rails,
            clocks: GuardClocks::default(),
            grants: Grants::everything(),
        }
    }

    /// The policies' names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.prepared.name()).collect()
    }

    /// Every policy's turn on `snapshot`, guarded and planned.
    pub fn decide(&mut self, snapshot: &Snapshot) -> Decided {
        let mut decisions: Vec<(usize, Vec<Decision>)> = Vec::new();
        let mut failures = Vec::new();
        for (i, policy) in self.policies.iter_mut().enumerate() {
            match policy.prepared.turn(snapshot, &mut policy.state).outcome {
                Ok(evaluation) => decisions.push((i, evaluation.decisions)),
                Err(error) => failures.push(format!("{}: {error}", policy.prepared.name())),
            }
        }
        let proposals: Vec<PolicyProposal<'_>> = decisions
            .iter()
            .map(|(i, decisions)| PolicyProposal {
                policy: self.policies[*i].prepared.name(),
                priority: self.policies[*i].priority,
                grants: &self.grants,
                decisions,
            })
            .collect();
        let outcome = guard::check(
            snapshot,
            &proposals,
            &self.clocks,
            &GuardContext {
                rails: &self.rails,
                geometry: &check_geometry,
                held: &Held::new(),
                now_ms: snapshot.time_ms,
            },
        );
        let plan = Plan::new(
            snapshot,
            outcome
                .accepted
                .iter()
                .map(|a| (a.policy.as_str(), &a.decision)),
        );
        self.clocks = outcome.clocks;
        Decided {
            plan,
            rejected: outcome.rejected.iter().map(|r| r.rule.name()).collect(),
            failures,
        }
    }
}
