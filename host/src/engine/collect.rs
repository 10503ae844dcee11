//! Collecting one cycle's snapshot: the backends' pools and groups, the GPU
//! telemetry of the nodes behind them, and the demand signals, read
//! concurrently; a source that fails is reported and leaves its part out or
//! stale, and never stops the cycle.
//!
//! Telemetry is read for the nodes the last cycle found, at the same time as
//! the backends are read; only when the backends show a different set of
//! nodes (a member or an instance came or went) is it read again, for the
//! new set, before the snapshot is built.

use std::collections::BTreeMap;

use crate::backends::Backends;
use crate::model::{Snapshot, SnapshotBuilder};
use crate::sources::groups::GroupError;
use crate::sources::pools::PoolsError;
use crate::sources::{self, NodeIdentity, TargetError, TelemetryCollector};

/// A source or target that failed this cycle; each names itself, and its
/// `source()` chain says why.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(transparent)]
    Pools(#[from] PoolsError),
    #[error(transparent)]
    Group(#[from] GroupError),
    #[error(transparent)]
    Telemetry(#[from] TargetError),
}

impl CollectError {
    /// The kind of source, as metrics label it: `bigip`, `gce`, or the
    /// telemetry source's kind (`dcgm`, `prometheus`, `nvidia-smi`).
    pub fn source_kind(&self) -> &'static str {
        match self {
            CollectError::Pools(_) => "bigip",
            CollectError::Group(_) => "gce",
            CollectError::Telemetry(target) => target.kind,
        }
    }
}

/// A snapshot and what went wrong collecting it.
pub struct Collected {
    pub snapshot: Snapshot,
    /// Each failed source or target.
    pub errors: Vec<CollectError>,
    /// Reads of each backend this cycle: (backend, reads, failed).
    pub backend_reads: Vec<(&'static str, u64, u64)>,
}

/// Collect everything for snapshot `version` at `now_ms`.
pub async fn collect(
    backends: &Backends,
    telemetry: &mut TelemetryCollector,
    known_nodes: &mut Vec<NodeIdentity>,
    signals: &BTreeMap<String, f64>,
    version: u64,
    now_ms: u64,
) -> Collected {
    let mut errors = Vec::new();
    let pools = async {
        match &backends.bigip {
            Some(bigip) => sources::pools::observe(bigip).await,
            None => Ok(Vec::new()),
        }
    };
    let groups = async {
        match &backends.gce {
            Some(gce) => sources::groups::observe(gce).await,
            None => (Vec::new(), Vec::new()),
        }
    };
    let early = async {
        if known_nodes.is_empty() {
            None
        } else {
            Some(telemetry.collect(known_nodes, now_ms).await)
        }
    };
    let (pools, (groups, group_errors), early) = tokio::join!(pools, groups, early);
    let mut backend_reads = Vec::new();
    if backends.bigip.is_some() {
        backend_reads.push(("bigip", 1, u64::from(pools.is_err())));
    }
    if let Some(gce) = &backends.gce {
        backend_reads.push(("gce", gce.groups.len() as u64, group_errors.len() as u64));
    }
    let pools = pools.unwrap_or_else(|err| {
        errors.push(CollectError::from(err));
        Vec::new()
    });
    errors.extend(group_errors.into_iter().map(CollectError::from));

    let mut nodes: Vec<NodeIdentity> = sources::pools::node_identities(&pools);
    for node in sources::groups::node_identities(&groups) {
        if !nodes.iter().any(|n| n.name == node.name) {
            nodes.push(node);
        }
    }
    let collected = match early {
        Some(collected) if nodes == *known_nodes => collected,
        _ => telemetry.collect(&nodes, now_ms).await,
    };
    errors.extend(collected.errors.into_iter().map(CollectError::from));

    let mut builder = SnapshotBuilder::new();
    for (node, identity) in collected.nodes.iter().zip(&nodes) {
        node.add_to(&mut builder, identity, &[]);
    }
    sources::pools::add_to(&mut builder, &pools);
    sources::groups::add_to(&mut builder, &groups);
    for (name, value) in signals {
        builder.signal(name, *value);
    }
    *known_nodes = nodes;
    Collected {
        snapshot: builder.build(version, now_ms),
        errors,
        backend_reads,
    }
}
