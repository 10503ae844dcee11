//! Collecting one cycle's snapshot: the backends' pools and groups, the GPU
//! telemetry of the nodes behind them, and the demand signals, read
//! concurrently; a source that fails is reported and leaves its part out or
//! stale, and never stops the cycle.

use std::collections::BTreeMap;

use crate::backends::Backends;
use crate::model::{Snapshot, SnapshotBuilder};
use crate::sources::{self, NodeIdentity, TelemetryCollector};

/// A snapshot and what went wrong collecting it.
pub struct Collected {
    pub snapshot: Snapshot,
    /// One line per failed source or target, naming it.
    pub errors: Vec<String>,
    /// Reads of each backend this cycle: (backend, reads, failed).
    pub backend_reads: Vec<(&'static str, u64, u64)>,
}

/// Collect everything for snapshot `version` at `now_ms`.
pub async fn collect(
    backends: &Backends,
    telemetry: &mut TelemetryCollector,
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
    let (pools, (groups, group_errors)) = tokio::join!(pools, groups);
    let mut backend_reads = Vec::new();
    if backends.bigip.is_some() {
        backend_reads.push(("bigip", 1, u64::from(pools.is_err())));
    }
    if let Some(gce) = &backends.gce {
        backend_reads.push(("gce", gce.groups.len() as u64, group_errors.len() as u64));
    }
    let pools = pools.unwrap_or_else(|err| {
        errors.push(err);
        Vec::new()
    });
    errors.extend(group_errors);

    let mut nodes: Vec<NodeIdentity> = sources::pools::node_identities(&pools);
    for node in sources::groups::node_identities(&groups) {
        if !nodes.iter().any(|n| n.name == node.name) {
            nodes.push(node);
        }
    }
    let collected = telemetry.collect(&nodes, now_ms).await;
    errors.extend(collected.errors.iter().map(ToString::to_string));

    let mut builder = SnapshotBuilder::new();
    for (node, identity) in collected.nodes.iter().zip(&nodes) {
        node.add_to(&mut builder, identity, &[]);
    }
    sources::pools::add_to(&mut builder, &pools);
    sources::groups::add_to(&mut builder, &groups);
    for (name, value) in signals {
        builder.signal(name, *value);
    }
    Collected {
        snapshot: builder.build(version, now_ms),
        errors,
        backend_reads,
    }
}
