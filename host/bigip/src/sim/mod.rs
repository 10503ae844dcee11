//! A simulated BIG-IP: iControl REST over HTTPS on loopback, with the wire format, status codes
//! and error bodies of a real box, basic and token auth, LTM objects with statistics, atomic
//! transactions, the read-only `net`, `sys` and `cm` collections a default box registers,
//! injectable faults, request counters and a log of the writes applied.
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

mod admin;
mod answers;
mod applied;
mod auth;
mod catalog;
mod counters;
mod faults;
mod ltm;
mod options;
mod query;
mod router;
mod serve;
mod shared;
mod state;
mod tls;
mod tokens;
mod transactions;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use applied::AppliedWrite;
use counters::AtomicCounters;
pub use counters::Counters;
pub use faults::{Burst, Faults};
pub use options::{SimArgs, SimOptions};

use crate::path::FullPath;

/// The TMOS version the simulator reports unless told otherwise.
pub const DEFAULT_VERSION: &str = "17.1.0";

/// Why the simulator could not start or act.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The listen address is not on loopback.
    #[error("bigip sim: --listen {addr}: only loopback addresses (127.0.0.0/8, ::1) may be used")]
    NotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Binding the listener failed.
    #[error("bigip sim: cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why the bind failed.
        #[source]
        source: std::io::Error,
    },
    /// Certificate generation failed.
    #[error("bigip sim: tls: {reason}")]
    Tls {
        /// What failed.
        reason: String,
    },
    /// The starting topology or an admin change was refused by the model.
    #[error("bigip sim: {what}: {status} {message}")]
    Model {
        /// What was refused, e.g. `starting topology`.
        what: String,
        /// The HTTP status a client would have received.
        status: u16,
        /// The device's message.
        message: String,
    },
}

/// A running simulator; it stops when this is dropped.
pub struct RunningSim {
    addr: SocketAddr,
    ca_pem: String,
    shared: Arc<shared::Shared>,
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

    /// Every write the device applied so far, in order: each committed
    /// transaction's commands and each direct write.
    pub fn applied_writes(&self) -> Vec<AppliedWrite> {
        self.shared.applied.all()
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
    let shared = Arc::new(shared::Shared::new(store, &options));
    let server = tokio::spawn(serve::serve(
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
