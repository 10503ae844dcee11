//! What `host run`, `host plan` and `host snapshot` share: the configuration
//! (a file, or the embedded demo with policies from the command line), the
//! connected backends and the engine, ready for a first cycle; with `[ha]`,
//! the replica, registered in etcd, whose lead the engine applies under.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::anyhow;

use super::{Failure, GlobalArgs};
use crate::backends::Backends;
use crate::config::{PolicyConfig, RunConfig};
use crate::demo::Demo;
use crate::engine::{CycleReport, Engine, Mode};
use crate::ha::Replica;
use crate::observe::{Metrics, Observer};
use crate::sim::FleetConfig;
use crate::store::{STORE_FILE, Store};

/// A configured engine and, for the embedded demo, the world it runs on.
pub(super) struct Session {
    pub config: RunConfig,
    pub engine: Engine,
    pub backends: Backends,
    pub demo: Option<Demo>,
    pub metrics: Metrics,
    /// This replica, with `[ha]`; `None` runs alone.
    pub replica: Option<Replica>,
}

impl Session {
    /// Load `config` (or the embedded demo when `None` or when it names no
    /// backend), add the command line's policies, connect, load every policy.
    /// `need_policies` refuses a session with no policy; `read_only` leaves
    /// the store closed (plans, snapshots and status change nothing).
    pub async fn start(
        global: &GlobalArgs,
        config: Option<&Path>,
        extra: Vec<PolicyConfig>,
        need_policies: bool,
        read_only: bool,
    ) -> Result<Session, Failure> {
        let mut config = match config {
            Some(path) => Some(RunConfig::load(path).map_err(Failure::usage)?),
            None => None,
        };
        let embedded = config.as_ref().is_none_or(RunConfig::is_embedded);
        let demo = if embedded {
            let fleet = config
                .as_ref()
                .map_or_else(FleetConfig::default, |c| c.fleet.clone());
            let demo = Demo::start(fleet.clone(), now_ms())
                .await
                .map_err(Failure::usage)?;
            let mut demo_config = demo.config(fleet, Vec::new());
            if let Some(file) = config.take() {
                demo_config.policies = file.policies;
                demo_config.signals = file.signals;
                demo_config.engine = file.engine;
                demo_config.telemetry.extend(file.telemetry);
                demo_config.mig = file.mig.or(demo_config.mig);
                demo_config.ha = file.ha;
            }
            config = Some(demo_config);
            Some(demo)
        } else {
            None
        };
        let mut config = config.expect("a configuration was loaded or built");
        config.policies.extend(extra);
        if need_policies && config.policies.is_empty() {
            return Err(Failure::usage(anyhow!(
                "no policy to run: give --policy FILE.wasm, or a --config with [[policies]]"
            )));
        }
        let backends = Backends::connect(config.bigip.as_ref(), config.gce.as_ref())
            .await
            .map_err(Failure::usage)?;
        let metrics = Metrics::new();
        let mut store = match (&config.engine.state_dir, read_only) {
            (Some(dir), false) => {
                Some(open_store(dir)?.with_audit_retention(config.engine.audit_retention))
            }
            _ => None,
        };
        let replica = match (&config.ha, read_only) {
            (Some(ha), false) => Some(
                Replica::start(ha, Observer::new(metrics.clone()), now_ms())
                    .await
                    .map_err(Failure::usage)?,
            ),
            _ => None,
        };
        // A replica's store holds its audit log; the state is etcd's.
        let local = match replica {
            Some(_) => store.take(),
            None => None,
        };
        let runtime = super::engine(global)?;
        let mig_executor = demo.as_ref().map(Demo::mig_executor);
        let mut engine = Engine::new(
            runtime,
            &config,
            backends.clone(),
            metrics.clone(),
            store,
            mig_executor,
        )
        .map_err(Failure::policy)?;
        if let (Some(replica), Some(local)) = (&replica, local) {
            engine.replicate(Arc::new(replica.shared_store(local)), replica.leadership());
        }
        Ok(Session {
            config,
            engine,
            backends,
            demo,
            metrics,
            replica,
        })
    }

    /// Run one cycle; in the demo, at the world's time, and then the world
    /// takes a step.
    pub async fn cycle(&mut self, mode: Mode) -> Result<CycleReport, Failure> {
        match &mut self.demo {
            Some(demo) => demo
                .cycle(&mut self.engine, &self.backends, mode)
                .await
                .map_err(Failure::usage),
            None => Ok(self.engine.cycle(now_ms(), mode).await),
        }
    }

    /// A line about the simulated world, in the demo.
    pub fn world(&self) -> Option<String> {
        self.demo.as_ref().map(Demo::describe)
    }
}

/// Open (or create) the store in `dir`.
pub(super) fn open_store(dir: &Path) -> Result<Store, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|err| Failure::usage(anyhow!("engine.state_dir {}: {err}", dir.display())))?;
    Store::open(&dir.join(STORE_FILE)).map_err(Failure::usage)
}

/// Policies named on the command line with `--policy`.
pub(super) fn command_line(paths: &[PathBuf]) -> Vec<PolicyConfig> {
    paths
        .iter()
        .cloned()
        .map(PolicyConfig::from_command_line)
        .collect()
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
