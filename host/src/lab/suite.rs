//! Running a policy's test cases: the policy is loaded once per distinct
//! settings (compiled once, through the cache), each case evaluated on its
//! own snapshot and state, and every case gets a verdict.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use super::fixture::Case;
use super::outcome::{self, CaseOutcome, describe};
use crate::error_chain::with_causes;
use crate::runtime::{LoadError, PolicyEngine, PolicySpec, PreparedPolicy};

/// How one case went.
pub struct CaseResult {
    pub name: String,
    pub file: std::path::PathBuf,
    /// Each expectation that did not hold; empty when the case passed.
    pub failures: Vec<String>,
    /// The decisions the policy made, one line each, for the failure report.
    pub decisions: Vec<String>,
    pub held: Duration,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Run every case against the policy at `policy`, with `spec`'s limits and
/// capabilities. A policy that does not load with a case's settings fails
/// that case.
pub fn run(
    engine: &PolicyEngine,
    policy: &Path,
    spec: &PolicySpec,
    cases: Vec<Case>,
) -> Vec<CaseResult> {
    let mut loaded: HashMap<String, Result<PreparedPolicy, LoadError>> = HashMap::new();
    cases
        .into_iter()
        .map(|case| {
            let key = case.settings.to_string();
            let prepared = loaded.entry(key).or_insert_with(|| {
                let spec = PolicySpec {
                    path: policy.to_owned(),
                    settings: case.settings.clone(),
                    ..spec.clone()
                };
                engine.load(&spec)
            });
            match prepared {
                Ok(prepared) => judge(case, prepared),
                Err(error) => CaseResult {
                    name: case.name,
                    file: case.file,
                    failures: vec![format!("the policy did not load: {}", with_causes(error))],
                    decisions: Vec::new(),
                    held: Duration::ZERO,
                },
            }
        })
        .collect()
}

fn judge(case: Case, policy: &PreparedPolicy) -> CaseResult {
    let outcome: CaseOutcome = outcome::run(policy, case.snapshot, case.state, case.rails.as_ref());
    let failures = case.expect.check(&outcome);
    let decisions = match &outcome.evaluated {
        Ok(decisions) => decisions
            .iter()
            .map(|d| {
                format!(
                    "{}  ({})",
                    describe(&outcome.snapshot, &d.action),
                    d.reason.as_str()
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    CaseResult {
        name: case.name,
        file: case.file,
        failures,
        decisions,
        held: outcome.held,
    }
}
