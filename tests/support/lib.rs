//! Shared set-up for the end-to-end tests: one engine per test, policies
//! loaded from the artifacts built to wasm32-wasip2, and fleet snapshots.

use std::time::Duration;

use fulcrum_host::model::Snapshot;
use fulcrum_host::runtime::{
    EngineConfig, EvalError, Evaluation, LoadError, PolicyEngine, PolicySpec, PolicyState,
    PreparedPolicy,
};
use fulcrum_host::sim::{Fleet, FleetConfig};

pub use fulcrum_plugin_artifacts as artifacts;

/// An engine with no on-disk cache, so tests never share state.
pub fn engine() -> PolicyEngine {
    PolicyEngine::new(&EngineConfig {
        cache_dir: None,
        max_instances: 16,
    })
    .expect("engine starts")
}

/// The spec for an artifact, with `settings` as JSON text and a deadline.
pub fn spec(path: &str, settings: &str, deadline: Duration) -> PolicySpec {
    let mut spec = PolicySpec::new(path);
    spec.settings = serde_json::from_str(settings).expect("settings are JSON");
    spec.limits.deadline = deadline;
    spec
}

/// Load an artifact with default limits and the given settings.
pub fn load(
    engine: &PolicyEngine,
    path: &str,
    settings: &str,
) -> Result<PreparedPolicy, LoadError> {
    engine.load(&spec(path, settings, Duration::from_millis(100)))
}

/// A snapshot of the default three-node fleet after `cycles` cycles.
pub fn fleet_snapshot(cycles: u64) -> Snapshot {
    let mut fleet = Fleet::new(FleetConfig::default(), 1_767_225_600_000);
    for _ in 0..cycles {
        fleet.advance();
    }
    fleet.snapshot(cycles + 1)
}

/// Evaluate once on `snapshot` with fresh state.
pub fn evaluate_once(
    policy: &PreparedPolicy,
    snapshot: &Snapshot,
) -> Result<Evaluation, EvalError> {
    policy.evaluate(snapshot, &mut PolicyState::default())
}
