//! How to start a simulator: [`SimOptions`], and the `host sim bigip` flags ([`SimArgs`]) that
//! describe them.

use std::net::SocketAddr;

use super::DEFAULT_VERSION;
use super::faults::{Burst, Faults};
use crate::topology::Topology;

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
