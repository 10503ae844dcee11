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
    engine_caching_in(None)
}

/// An engine that keeps compiled components in `target/e2e-compiled`, for
/// tests of policies that carry an interpreter: compiling one takes tens of
/// seconds, loading it again from the cache a fraction of one. Compiled
/// code is keyed by the component's digest and the engine, so nothing
/// else is shared.
pub fn caching_engine() -> PolicyEngine {
    engine_caching_in(Some(
        concat!(env!("CARGO_MANIFEST_DIR"), "/../target/e2e-compiled").into(),
    ))
}

fn engine_caching_in(cache_dir: Option<std::path::PathBuf>) -> PolicyEngine {
    PolicyEngine::new(&EngineConfig {
        cache_dir,
        max_instances: 16,
    })
    .expect("engine starts")
}

/// The spec for an artifact, with `settings` as JSON text and a deadline.
pub fn spec(path: &str, settings: &str, deadline: Duration) -> PolicySpec {
    let mut spec = PolicySpec::new(path);
    spec.settings = serde_json::from_str(settings).expect("settings are JSON");
    spec.limits.deadline = deadline;
    spec.limits_set.deadline = true;
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

/// The embedded demo with an engine running `policies` against it.
pub struct World {
    pub demo: fulcrum_host::demo::Demo,
    pub config: fulcrum_host::config::RunConfig,
    pub engine: fulcrum_host::engine::Engine,
    pub backends: fulcrum_host::backends::Backends,
    pub metrics: fulcrum_host::observe::Metrics,
    /// Where the engine's store lives, when it has one.
    state_dir: Option<std::path::PathBuf>,
    /// What makes the engine's policy engine, again on a restart.
    policy_engine: fn() -> PolicyEngine,
}

impl World {
    /// Start the simulators and load `policies`; state is kept in memory.
    pub async fn start(
        fleet: FleetConfig,
        policies: Vec<fulcrum_host::config::PolicyConfig>,
    ) -> World {
        World::start_with_store(fleet, policies, None).await
    }

    /// Start the simulators and load `policies` on a [`caching_engine`].
    pub async fn start_caching(
        fleet: FleetConfig,
        policies: Vec<fulcrum_host::config::PolicyConfig>,
    ) -> World {
        World::start_on(caching_engine, fleet, policies, None).await
    }

    /// Start the simulators and load `policies`, with the store in
    /// `state_dir` when given.
    pub async fn start_with_store(
        fleet: FleetConfig,
        policies: Vec<fulcrum_host::config::PolicyConfig>,
        state_dir: Option<&std::path::Path>,
    ) -> World {
        World::start_on(engine, fleet, policies, state_dir).await
    }

    async fn start_on(
        policy_engine: fn() -> PolicyEngine,
        fleet: FleetConfig,
        policies: Vec<fulcrum_host::config::PolicyConfig>,
        state_dir: Option<&std::path::Path>,
    ) -> World {
        let demo = fulcrum_host::demo::Demo::start(fleet.clone(), 1_767_225_600_000)
            .await
            .expect("the demo starts");
        let config = demo.config(fleet, policies);
        let backends =
            fulcrum_host::backends::Backends::connect(config.bigip.as_ref(), config.gce.as_ref())
                .await
                .expect("backends connect");
        let metrics = fulcrum_host::observe::Metrics::new();
        let state_dir = state_dir.map(std::path::Path::to_path_buf);
        let engine = new_engine(
            policy_engine(),
            &demo,
            &config,
            &backends,
            &metrics,
            state_dir.as_deref(),
        );
        World {
            demo,
            config,
            engine,
            backends,
            metrics,
            state_dir,
            policy_engine,
        }
    }

    /// Stop the host and start it again on the same world and store, as a
    /// restart after a kill would: only what the store holds carries over.
    pub fn restart(self) -> World {
        let World {
            demo,
            config,
            engine,
            backends,
            metrics,
            state_dir,
            policy_engine,
        } = self;
        drop(engine);
        let engine = new_engine(
            policy_engine(),
            &demo,
            &config,
            &backends,
            &metrics,
            state_dir.as_deref(),
        );
        World {
            demo,
            config,
            engine,
            backends,
            metrics,
            state_dir,
            policy_engine,
        }
    }

    /// The audit log of the world's store, read as `host audit` reads it.
    pub fn audit(&self) -> Vec<fulcrum_host::store::AuditRecord> {
        use fulcrum_host::store::ReadAudit;
        let dir = self.state_dir.as_deref().expect("the world has a store");
        fulcrum_host::store::AuditReader::open(&dir.join(fulcrum_host::store::STORE_FILE))
            .expect("the store opens to read")
            .audit_since(None)
            .expect("the audit log reads")
    }

    /// One cycle, then one step of the world.
    pub async fn cycle(
        &mut self,
        mode: fulcrum_host::engine::Mode,
    ) -> fulcrum_host::engine::CycleReport {
        self.demo
            .cycle(&mut self.engine, &self.backends, mode)
            .await
            .expect("the world steps")
    }
}

fn new_engine(
    policy_engine: PolicyEngine,
    demo: &fulcrum_host::demo::Demo,
    config: &fulcrum_host::config::RunConfig,
    backends: &fulcrum_host::backends::Backends,
    metrics: &fulcrum_host::observe::Metrics,
    state_dir: Option<&std::path::Path>,
) -> fulcrum_host::engine::Engine {
    let store = state_dir.map(|dir| {
        fulcrum_host::store::Store::open(&dir.join(fulcrum_host::store::STORE_FILE))
            .expect("the store opens")
    });
    fulcrum_host::engine::Engine::new(
        policy_engine,
        config,
        backends.clone(),
        metrics.clone(),
        store,
        Some(demo.mig_executor()),
    )
    .expect("policies load")
}
