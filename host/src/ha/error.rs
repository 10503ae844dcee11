//! [`HaError`]: why a replica could not reach etcd, lead, or write under
//! its fence. Every variant says which; none is fatal to the host, which
//! applies nothing until it leads again.

use std::time::Duration;

/// Why etcd, the election or the fence refused.
#[derive(Debug, thiserror::Error)]
pub enum HaError {
    #[error("etcd {endpoints}: cannot connect: {source}")]
    Connect {
        endpoints: String,
        #[source]
        source: etcd_client::Error,
    },
    #[error("etcd: {operation} failed: {source}")]
    Request {
        operation: &'static str,
        #[source]
        source: etcd_client::Error,
    },
    #[error("etcd: {operation} had no answer within {} ms", timeout.as_millis())]
    Timeout {
        operation: &'static str,
        timeout: Duration,
    },
    #[error("etcd: cannot start the client's runtime: {source}")]
    Runtime {
        #[source]
        source: std::io::Error,
    },
    #[error("etcd: the client's runtime stopped before {operation} finished")]
    Stopped { operation: &'static str },
    #[error("etcd key {key}: the stored value does not decode: {source}")]
    Decode {
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("replica name {replica} is in use by another running replica")]
    NameTaken { replica: String },
    #[error("this replica does not lead")]
    NotLeader,
    #[error("replica {leader} leads now")]
    Superseded { leader: String },
    #[error("the leader key is gone: the lease expired")]
    KeyGone,
    #[error("the lease has {} ms left, less than the {} ms margin an apply needs", left.as_millis(), margin.as_millis())]
    LeaseShort { left: Duration, margin: Duration },
    #[error("the lease lapsed: no renewal reached etcd in time")]
    Lapsed,
    #[error(
        "{operation} was fenced off: the leader key is no longer the one this replica created (term {term})"
    )]
    Fenced { operation: &'static str, term: i64 },
}
