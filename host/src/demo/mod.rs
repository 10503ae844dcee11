//! The embedded demo: a simulated GPU fleet and the systems in front of it,
//! all on loopback, driven by the same sources and actuators as production.
//!
//! - the fleet's nodes (127.0.1.N) serve DCGM exporter `/metrics`;
//! - a BIG-IP simulator (HTTPS, its own CA) holds pool `mlPool` with the
//!   nodes as members; the fleet routes its offered load by the ratios and
//!   states set there, and the simulator's monitors and connection counts
//!   follow the fleet;
//! - a GCE simulator holds `tf-instance-group-manager` behind
//!   `tf-backend-service`; a queue of work ([`QueueModel`]) fills with a
//!   demand curve and drains at the rate of the group's running instances,
//!   and its depth is the `queue-depth` signal scaling policies read.
//!
//! [`Demo::config`] is the configuration that points the engine at all of
//! it; [`Demo::step`] advances the world between cycles.

mod queue;

use std::time::Duration;

use anyhow::Context as _;

pub use queue::QueueModel;

use crate::actuators::mig::config::MigConfig;
use crate::actuators::mig::executor::embedded::EmbeddedExecutor;
use crate::backends::Backends;
use crate::config::{
    BigIpAuth, BigIpConfig, EngineSettings, GceConfig, GroupConfig, PolicyConfig, RunConfig, Secret,
};
use crate::engine::{CycleReport, Engine, Mode};
use crate::guard::GuardRails;
use crate::sim::{ExporterServers, Fleet, FleetConfig};
use crate::sources::{DcgmConfig, JoinBy, TelemetryConfig};

/// The port the pool's members serve on, as in the seed.
const MEMBER_PORT: u16 = 80;

/// The seed's BIG-IP setup with every node of `fleet` as a member of `mlPool`.
fn topology(fleet: &Fleet) -> fulcrum_bigip::Topology {
    let mut topology = fulcrum_bigip::Topology::seed();
    topology.pools[0].member_port = MEMBER_PORT;
    topology.pools[0].nodes = fleet
        .node_addresses()
        .into_iter()
        .enumerate()
        .map(|(i, address)| fulcrum_bigip::topology::NodeSpec {
            name: format!("ml-node-{}", i + 1),
            address,
        })
        .collect();
    topology
}

/// The demand signal the queue publishes.
pub const QUEUE_SIGNAL: &str = "queue-depth";

/// The running simulators and the world they share.
pub struct Demo {
    fleet: Fleet,
    exporters: ExporterServers,
    bigip: fulcrum_bigip::sim::RunningSim,
    gce: fulcrum_gce::sim::SimServer,
    queue: QueueModel,
}

impl Demo {
    /// Start the fleet's exporters and both simulators on loopback.
    pub async fn start(fleet: FleetConfig, start_ms: u64) -> anyhow::Result<Demo> {
        let fleet = Fleet::new(fleet, start_ms);
        let exporters = ExporterServers::start(&fleet)
            .await
            .context("starting the fleet's DCGM exporters")?;
        let bigip = fulcrum_bigip::sim::start(fulcrum_bigip::sim::SimOptions {
            topology: Some(topology(&fleet)),
            ..fulcrum_bigip::sim::SimOptions::default()
        })
        .await
        .context("starting the BIG-IP simulator")?;
        let mut gce_options = fulcrum_gce::sim::SimOptions::default();
        gce_options.timing.boot_delay = Duration::from_secs(2);
        gce_options.timing.operation_delay = Duration::from_millis(100);
        let gce = fulcrum_gce::sim::start(gce_options)
            .await
            .context("starting the GCE simulator")?;
        Ok(Demo {
            fleet,
            exporters,
            bigip,
            gce,
            queue: QueueModel::default(),
        })
    }

    /// The configuration that runs `policies` against the demo's simulators.
    pub fn config(&self, fleet: FleetConfig, policies: Vec<PolicyConfig>) -> RunConfig {
        let options = fulcrum_bigip::sim::SimOptions::default();
        RunConfig {
            engine: EngineSettings::default(),
            fleet,
            bigip: Some(BigIpConfig {
                url: self.bigip.base_url(),
                username: options.user.clone(),
                password: Secret::inline("the BIG-IP simulator's password", options.password),
                auth: BigIpAuth::Token,
                tls: fulcrum_bigip::TlsOptions::CustomCa {
                    pem: self.bigip.ca_pem().to_owned(),
                },
                pools: vec!["/Common/mlPool".to_owned()],
                // The simulator takes a transaction's commands concurrently.
                transaction_concurrency: 8,
                topology: None,
            }),
            gce: Some(GceConfig {
                project: "demo-project".to_owned(),
                api_root: Some(self.gce.api_root()),
                auth: fulcrum_gce::AuthConfig::Anonymous,
                groups: vec![GroupConfig {
                    group: fulcrum_gce::GroupRef::zonal("us-central1-a", fulcrum_gce::sim::GROUP),
                    backend_service: Some(fulcrum_gce::sim::BACKEND_SERVICE.to_owned()),
                    min_size: 1,
                    max_size: 10,
                }],
            }),
            telemetry: vec![TelemetryConfig::Dcgm(DcgmConfig {
                url: None,
                urls: self.exporters.urls().to_vec(),
                join: JoinBy::Address,
                timeout: Duration::from_secs(2),
                // Three missed cycles.
                stale_after: Duration::from_secs(3),
            })],
            signals: Vec::new(),
            guard: GuardRails {
                // The demo's cycles are seconds, not minutes.
                scale_in_stabilization: Duration::from_secs(15),
                scale_out_cooldown: Duration::from_secs(5),
                scale_in_cooldown: Duration::from_secs(10),
                ..GuardRails::default()
            },
            mig: Some(MigConfig::embedded()),
            ha: None,
            policies,
        }
    }

    /// The fleet's MIG node agent, to watch or tune it.
    pub fn mig_agent(&self) -> crate::sim::MigAgent {
        self.fleet.mig_agent()
    }

    /// The fleet's MIG node agent as the executor MIG rollouts on the demo
    /// use (`[mig] executor = { kind = "embedded" }`).
    pub fn mig_executor(&self) -> EmbeddedExecutor {
        EmbeddedExecutor::new("the demo fleet's MIG node agent", self.mig_agent())
    }

    /// The demand signals of the current step.
    pub fn signals(&self) -> [(&'static str, f64); 1] {
        [(QUEUE_SIGNAL, self.queue.depth())]
    }

    /// The BIG-IP simulator, for injecting faults.
    pub fn bigip_sim(&self) -> &fulcrum_bigip::sim::RunningSim {
        &self.bigip
    }

    /// The GCE simulator, for injecting faults.
    pub fn gce_sim(&self) -> &fulcrum_gce::sim::SimServer {
        &self.gce
    }

    /// The world's clock: simulated time, one fleet step per cycle.
    pub fn now_ms(&self) -> u64 {
        self.fleet.time_ms()
    }

    /// A line about the world for the cycle table.
    pub fn describe(&self) -> String {
        format!(
            "load {:.0} req/s  queue {:.0}",
            self.fleet.offered_load_rps(),
            self.queue.depth()
        )
    }

    /// Run one engine cycle at the world's time with its signals, then let
    /// the world take a step.
    pub async fn cycle(
        &mut self,
        engine: &mut Engine,
        backends: &Backends,
        mode: Mode,
    ) -> anyhow::Result<CycleReport> {
        for (name, value) in self.signals() {
            engine.set_signal(name, value);
        }
        let report = engine.cycle(self.now_ms(), mode).await;
        self.step(backends).await?;
        Ok(report)
    }

    /// Advance the world one step: the fleet takes the pool's ratios and
    /// states from the BIG-IP and responds; the BIG-IP's monitors and
    /// connection counts, and the exporters, follow the fleet; the queue
    /// drains at the group's running size.
    pub async fn step(&mut self, backends: &Backends) -> anyhow::Result<()> {
        if let Some(bigip) = &backends.bigip {
            let pools = fulcrum_bigip::source::observe(&bigip.client, &bigip.pools)
                .await
                .context("demo: reading the pool from the BIG-IP simulator")?;
            for member in pools.iter().flat_map(|p| &p.members) {
                let state = crate::sources::pools::member_state(member.admin_state);
                self.fleet.set_member(&member.address, member.ratio, state);
            }
        }
        self.fleet.advance();
        self.exporters.publish(&self.fleet);
        for (node, healthy, connections) in self.fleet.member_load() {
            self.bigip
                .set_member_load(
                    "/Common/mlPool",
                    &format!("/Common/{node}:{MEMBER_PORT}"),
                    Some(healthy),
                    Some(u64::from(connections)),
                )
                .context("demo: reporting the fleet's load to the BIG-IP simulator")?;
        }
        if let Some(gce) = &backends.gce {
            let running = match gce.groups.first() {
                Some(group) => fulcrum_gce::read_group(&gce.client, &group.group, None)
                    .await
                    .map(|state| state.running)
                    .context("demo: reading the group from the GCE simulator")?,
                None => 0,
            };
            self.queue.step(running);
        }
        Ok(())
    }
}
