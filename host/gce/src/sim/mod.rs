//! A Compute v1 simulator on loopback, faithful enough for the client and for
//! google-api-python-client: the seed chain's resources, managed instance
//! groups whose instances boot over a configurable delay, Operations that go
//! PENDING → RUNNING → DONE, autoscalers that mark their groups, backend services with fingerprints and health,
//! token endpoints for service-account and metadata-server auth, and faults
//! injected by flag or at `/fulcrum-sim/faults`.
//!
//! Admin endpoints (not part of Compute):
//! - `GET|POST /fulcrum-sim/faults`: read or replace the [`Faults`] in force (JSON);
//! - `GET /fulcrum-sim/stats`: the [`SimStats`] counters.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sim = fulcrum_gce::sim::start(fulcrum_gce::sim::SimOptions::default()).await?;
//! println!("Compute v1 at {}", sim.api_root());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod aggregated;
mod autoscalers;
mod backend_services;
mod defaults;
mod error;
mod faults;
mod group_routes;
mod group_view;
mod groups;
mod instances;
mod members;
mod operations;
mod paging;
mod routes;
mod seed;
mod state;
mod tokens;
mod vm;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::{any, get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Faults;
pub use seed::{
    BACKEND_SERVICE, FORWARDING_RULE, GROUP, HEALTH_CHECK, TARGET_HTTP_PROXY, TEMPLATE, URL_MAP,
};
pub use state::{SimStats, Timing};

use routes::{Shared, lock};

/// `host sim gce` flags.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Loopback address to serve on; port 0 picks a free one.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Project the seeded topology lives in.
    #[arg(long, default_value = "demo-project")]
    pub project: String,
    /// Zone of the seeded managed instance group.
    #[arg(long, default_value = "us-central1-a")]
    pub zone: String,
    /// Start with no resources at all.
    #[arg(long)]
    pub empty: bool,
    /// Time a new instance takes from PROVISIONING to RUNNING and healthy.
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    pub boot_delay: Duration,
    /// Time an Operation takes to reach DONE.
    #[arg(long, default_value = "500ms", value_parser = humantime::parse_duration)]
    pub operation_delay: Duration,
    /// Answer the next N Compute requests with 403 rateLimitExceeded.
    #[arg(long, default_value_t = 0)]
    pub fault_rate_limited: u32,
    /// Answer the next N Compute requests with 429.
    #[arg(long, default_value_t = 0)]
    pub fault_too_many_requests: u32,
    /// Answer the next N Compute requests with 503.
    #[arg(long, default_value_t = 0)]
    pub fault_server_errors: u32,
    /// End the next N mutations' Operations with QUOTA_EXCEEDED.
    #[arg(long, default_value_t = 0)]
    pub fault_failed_operations: u32,
    /// Make the next N backend-service writes find their fingerprint stale (412).
    #[arg(long, default_value_t = 0)]
    pub fault_stale_fingerprints: u32,
    /// New instances fail to create with ZONE_RESOURCE_POOL_EXHAUSTED.
    #[arg(long)]
    pub fault_stockout: bool,
    /// New instances fail to create with QUOTA_EXCEEDED.
    #[arg(long)]
    pub fault_quota: bool,
}

impl SimArgs {
    /// The options these flags describe.
    pub fn options(&self) -> SimOptions {
        SimOptions {
            listen: self.listen,
            project: self.project.clone(),
            zone: self.zone.clone(),
            empty: self.empty,
            timing: Timing {
                boot_delay: self.boot_delay,
                operation_delay: self.operation_delay,
                ..SimOptions::default().timing
            },
            faults: Faults {
                rate_limited: self.fault_rate_limited,
                too_many_requests: self.fault_too_many_requests,
                server_errors: self.fault_server_errors,
                failed_operations: self.fault_failed_operations,
                stale_fingerprints: self.fault_stale_fingerprints,
                stockout: self.fault_stockout,
                quota_exhausted: self.fault_quota,
            },
        }
    }
}

/// Everything the simulator starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOptions {
    /// Must be a loopback address.
    pub listen: SocketAddr,
    /// Project the seeded topology lives in.
    pub project: String,
    /// Zone of the seeded managed instance group.
    pub zone: String,
    /// Skip the seeded topology.
    pub empty: bool,
    /// How fast simulated things happen.
    pub timing: Timing,
    /// Faults in force from the start.
    pub faults: Faults,
}

impl Default for SimOptions {
    /// `127.0.0.1:0`, `demo-project`, `us-central1-a`, seeded, 3 s boots,
    /// 500 ms operations, 10 s waits, 1 h tokens, no faults.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            project: "demo-project".to_owned(),
            zone: "us-central1-a".to_owned(),
            empty: false,
            timing: Timing {
                boot_delay: Duration::from_secs(3),
                operation_delay: Duration::from_millis(500),
                wait_deadline: Duration::from_secs(10),
                token_lifetime: Duration::from_secs(3600),
            },
            faults: Faults::default(),
        }
    }
}

/// A running simulator; dropping it stops the server, as [`SimServer::shutdown`] does
/// without waiting.
pub struct SimServer {
    addr: SocketAddr,
    shared: Shared,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl SimServer {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The Compute v1 root to give clients: `http://ADDR/compute/v1/`.
    pub fn api_root(&self) -> String {
        format!("http://{}/compute/v1/", self.addr)
    }

    /// The OAuth token URI to put in a service-account key.
    pub fn token_uri(&self) -> String {
        format!("http://{}/token", self.addr)
    }

    /// The `host:port` to use as the metadata server.
    pub fn metadata_host(&self) -> String {
        self.addr.to_string()
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        lock(&self.shared).faults.clone()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.shared).set_faults(faults);
    }

    /// The counters so far.
    pub fn stats(&self) -> SimStats {
        lock(&self.shared).stats.clone()
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        if let Ok(Err(error)) = self.task.await {
            tracing::warn!(message = "simulator stopped with an error", %error);
        }
    }
}

async fn get_faults(State(shared): State<Shared>) -> axum::Json<Faults> {
    axum::Json(lock(&shared).faults.clone())
}

async fn set_faults(
    State(shared): State<Shared>,
    axum::Json(faults): axum::Json<Faults>,
) -> axum::Json<Faults> {
    let mut state = lock(&shared);
    state.set_faults(faults);
    axum::Json(state.faults.clone())
}

async fn get_stats(State(shared): State<Shared>) -> axum::Json<SimStats> {
    axum::Json(lock(&shared).stats.clone())
}

async fn project_id(State(project): State<String>) -> String {
    project
}

/// Binds `options.listen` (loopback only) and serves until shut down.
pub async fn start(options: SimOptions) -> io::Result<SimServer> {
    if !options.listen.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "simulator listen address {} is not loopback",
                options.listen
            ),
        ));
    }
    let mut state = state::SimState::new(options.timing, Faults::default());
    state.zones.insert(options.zone.clone());
    if !options.empty {
        seed::seed_topology(&mut state, &options.project, &options.zone);
    }
    // Faults start after seeding: the seed topology is what was there before.
    state.faults = options.faults.clone();
    let shared: Shared = Arc::new(Mutex::new(state));
    let app = Router::new()
        .route("/compute/v1/{*path}", any(routes::compute))
        .route("/token", post(tokens::exchange_jwt))
        .route(
            "/computeMetadata/v1/instance/service-accounts/default/token",
            get(tokens::metadata_token),
        )
        .route("/fulcrum-sim/faults", get(get_faults).post(set_faults))
        .route("/fulcrum-sim/stats", get(get_stats))
        .with_state(shared.clone())
        .route(
            "/computeMetadata/v1/project/project-id",
            get(project_id).with_state(options.project.clone()),
        );
    let listener = tokio::net::TcpListener::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    tracing::info!(message = "GCE simulator listening", %addr, project = %options.project);
    Ok(SimServer {
        addr,
        shared,
        shutdown,
        task,
    })
}
