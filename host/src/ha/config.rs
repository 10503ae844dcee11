//! [`HaConfig`]: how the replicas of one deployment reach etcd and tell
//! each other apart, as `[ha]` resolves (`config::ha`).

use std::time::Duration;

use crate::config::Secret;

/// Replicated operation on etcd: one leader applies, the others stand by.
#[derive(Debug, Clone)]
pub struct HaConfig {
    /// etcd's client URLs, every one `http://` or every one `https://`.
    pub endpoints: Vec<String>,
    /// This replica's name, unique in the deployment.
    pub replica: String,
    /// Every key Fulcrum keeps in etcd starts with this; ends with `/`.
    pub key_prefix: String,
    /// The lease TTL, in whole seconds: a leader that stops renewing it is
    /// replaced this long after its last renewal.
    pub lease_ttl: Duration,
    /// Lease time that must remain when a cycle starts applying: at least
    /// the longest an apply stage is expected to take.
    pub apply_margin: Duration,
    /// Bound on each request to etcd.
    pub request_timeout: Duration,
    /// TLS for `https://` endpoints.
    pub tls: Option<EtcdTls>,
    /// etcd's user and password, when its authentication is on.
    pub auth: Option<EtcdAuth>,
}

/// How etcd's certificate is checked, and the client's own, for mutual TLS.
#[derive(Debug, Clone)]
pub struct EtcdTls {
    /// The CA etcd's certificate must chain to (PEM).
    pub ca_pem: String,
    /// The client certificate (PEM) and its private key.
    pub identity: Option<(String, Secret)>,
}

/// etcd's user and password.
#[derive(Debug, Clone)]
pub struct EtcdAuth {
    pub username: String,
    pub password: Secret,
}
