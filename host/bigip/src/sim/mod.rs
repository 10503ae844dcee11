//! A simulated BIG-IP: iControl REST over HTTPS on loopback, with the wire format, status codes
//! and error bodies of a real box, basic and token auth, atomic transactions, statistics,
//! injectable faults and request counters.
//!
//! Start one in-process with [`start`]; the host's `host sim bigip` flattens [`SimArgs`] and
//! calls [`SimArgs::options`] then [`start`]. The admin endpoint (no auth, loopback only):
//!
//! | request | effect |
//! |---|---|
//! | `GET /fulcrum-sim/counters` | [`Counters`] as JSON |
//! | `POST /fulcrum-sim/counters/reset` | zero the counters |
//! | `GET`/`PUT /fulcrum-sim/faults` | read or replace the [`Faults`] |
//! | `PUT /fulcrum-sim/member-load` | `{"pool","member","healthy"?,"connections"?}`: a member's health and `serverside.curConns` |

mod faults;
mod query;
mod routes;
mod state;
mod tls;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::{Burst, Faults};

use crate::path::FullPath;
use crate::topology::Topology;

/// The TMOS version the simulator reports unless told otherwise.
pub const DEFAULT_VERSION: &str = "17.1.0";

/// Why the simulator could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address is not on loopback.
    #[error("bigip sim: --listen {addr}: only loopback addresses (127.0.0.0/8, ::1) may be used")]
    NotLoopback { addr: SocketAddr },
    /// Binding the listener failed.
    #[error("bigip sim: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// Certificate generation failed.
    #[error("bigip sim: tls: {reason}")]
    Tls { reason: String },
    /// The starting topology or an admin change was refused by the model.
    #[error("bigip sim: {what}: {status} {message}")]
    Model {
        what: String,
        status: u16,
        message: String,
    },
}

/// Command-line flags of `host sim bigip`.
#[derive(Clone, Debug, clap::Args)]
pub struct SimArgs {
    /// Address to serve HTTPS on; loopback only.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// User accepted by basic auth and token login.
    #[arg(long, default_value = "admin")]
    pub user: String,
    /// That user's password.
    #[arg(long, default_value = "admin")]
    pub password: String,
    /// Start with no pools, nodes or virtual servers.
    #[arg(long)]
    pub empty: bool,
    /// TMOS version to report.
    #[arg(long, default_value = DEFAULT_VERSION)]
    pub tmos_version: String,
    /// Token lifetime in seconds.
    #[arg(long, default_value_t = 1200)]
    pub token_timeout: u64,
    /// Delay added to every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Answer this many requests with 500 "connection to mcpd has been lost".
    #[arg(long, default_value_t = 0)]
    pub mcpd_lost: u32,
    /// Answer this many requests with 503.
    #[arg(long, default_value_t = 0)]
    pub unavailable: u32,
    /// Drop this many connections without answering.
    #[arg(long, default_value_t = 0)]
    pub drop_connections: u32,
    /// Let this many requests through before the faults above start.
    #[arg(long, default_value_t = 0)]
    pub faults_after: u32,
}

impl SimArgs {
    /// The options these flags describe.
    pub fn options(&self) -> SimOptions {
        let burst = |count| Burst {
            after: self.faults_after,
            count,
        };
        SimOptions {
            listen: self.listen,
            user: self.user.clone(),
            password: self.password.clone(),
            topology: (!self.empty).then(Topology::seed),
            version: self.tmos_version.clone(),
            token_timeout_secs: self.token_timeout,
            faults: Faults {
                latency_ms: self.latency_ms,
                mcpd_lost: burst(self.mcpd_lost),
                unavailable: burst(self.unavailable),
                dropped_connections: burst(self.drop_connections),
                token_expiry: Burst::default(),
            },
        }
    }
}

/// How to start a simulator.
#[derive(Clone)]
pub struct SimOptions {
    /// Loopback address; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The one user.
    pub user: String,
    /// Its password (never logged).
    pub password: String,
    /// The starting configuration; `None` starts blank.
    pub topology: Option<Topology>,
    /// TMOS version reported in `selfLink`s.
    pub version: String,
    /// Lifetime of new tokens, in seconds.
    pub token_timeout_secs: u64,
    /// Faults in force from the start.
    pub faults: Faults,
}

impl std::fmt::Debug for SimOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimOptions")
            .field("listen", &self.listen)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("topology", &self.topology)
            .field("version", &self.version)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

impl Default for SimOptions {
    /// The seed topology on a free port of 127.0.0.1, user `admin`/`admin`, no faults.
    fn default() -> SimOptions {
        SimOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            user: "admin".into(),
            password: "admin".into(),
            topology: Some(Topology::seed()),
            version: DEFAULT_VERSION.into(),
            token_timeout_secs: 1200,
            faults: Faults::default(),
        }
    }
}

/// Requests seen, by class. Writes are every non-GET under `/mgmt/tm` (queued commands and
/// transaction calls included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Every request under `/mgmt`.
    pub requests: u64,
    /// GETs under `/mgmt/tm`.
    pub reads: u64,
    /// Non-GET requests under `/mgmt/tm`.
    pub writes: u64,
    /// Transactions committed successfully.
    pub transactions: u64,
    /// Token logins.
    pub logins: u64,
    /// Requests answered or dropped by an injected fault.
    pub faults: u64,
}

#[derive(Debug, Default)]
pub(crate) struct AtomicCounters {
    requests: AtomicU64,
    reads: AtomicU64,
    writes: AtomicU64,
    transactions: AtomicU64,
    logins: AtomicU64,
    faults: AtomicU64,
}

impl AtomicCounters {
    fn snapshot(&self) -> Counters {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            requests: read(&self.requests),
            reads: read(&self.reads),
            writes: read(&self.writes),
            transactions: read(&self.transactions),
            logins: read(&self.logins),
            faults: read(&self.faults),
        }
    }

    fn reset(&self) {
        for counter in [
            &self.requests,
            &self.reads,
            &self.writes,
            &self.transactions,
            &self.logins,
            &self.faults,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}

/// A running simulator; it stops when this is dropped.
pub struct RunningSim {
    addr: SocketAddr,
    ca_pem: String,
    shared: Arc<routes::Shared>,
    server: JoinHandle<()>,
}

impl RunningSim {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT`, for [`crate::ClientConfig::new`].
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// PEM of the CA that signed the simulator's certificate, for [`crate::TlsOptions::CustomCa`].
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The request counters so far.
    pub fn counters(&self) -> Counters {
        self.shared.counters.snapshot()
    }

    /// Zeroes the request counters.
    pub fn reset_counters(&self) {
        self.shared.counters.reset()
    }

    /// Replaces the faults in force.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults)
    }

    /// Sets a member's monitor result and current server-side connections.
    pub fn set_member_load(
        &self,
        pool: &str,
        member: &str,
        healthy: Option<bool>,
        connections: Option<u64>,
    ) -> Result<(), SimError> {
        self.shared.set_member_load(
            &FullPath::parse(pool),
            &FullPath::parse(member),
            healthy,
            connections,
        )
    }

    /// Waits until the server stops (it does not unless its task fails).
    pub async fn wait(mut self) {
        let _ = (&mut self.server).await;
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Starts a simulator on a tokio runtime and returns once it listens.
pub async fn start(options: SimOptions) -> Result<RunningSim, SimError> {
    if !options.listen.ip().is_loopback() {
        return Err(SimError::NotLoopback {
            addr: options.listen,
        });
    }
    let store = match &options.topology {
        Some(topology) => state::Store::with_topology(&options.version, topology).map_err(|e| {
            SimError::Model {
                what: "starting topology".into(),
                status: e.status,
                message: e.message,
            }
        })?,
        None => state::Store::empty(&options.version),
    };
    let certificates = tls::generate()?;
    let listener = TcpListener::bind(options.listen)
        .await
        .map_err(|source| SimError::Bind {
            addr: options.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SimError::Bind {
        addr: options.listen,
        source,
    })?;
    let shared = Arc::new(routes::Shared::new(store, &options));
    let server = tokio::spawn(routes::serve(
        listener,
        certificates.server_config,
        shared.clone(),
    ));
    tracing::info!(message = "bigip simulator listening", %addr, version = %options.version);
    Ok(RunningSim {
        addr,
        ca_pem: certificates.ca_pem,
        shared,
        server,
    })
}
