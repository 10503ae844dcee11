//! Each replica's presence: a key under `replicas/` bound to its lease, so
//! `host status` lists the replicas alive, and two processes cannot run as
//! the same replica.

use serde::{Deserialize, Serialize};

use etcd_client::{Compare, CompareOp, GetOptions, PutOptions, Txn, TxnOp};

use super::error::HaError;
use super::etcd::Etcd;
use super::keys::Keys;
use super::lease::Lease;

/// A replica's key's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplicaRecord {
    pub replica: String,
    /// When it started, in ms since the Unix epoch.
    pub started_ms: u64,
    /// Its process id, to tell two processes apart.
    pub pid: u32,
}

/// Register `record` under `lease`, unless a live replica of that name
/// (another lease) holds the key.
pub async fn register(
    etcd: &Etcd,
    keys: &Keys,
    record: &ReplicaRecord,
    lease: &Lease,
) -> Result<(), HaError> {
    let key = keys.replica(&record.replica);
    let value = serde_json::to_vec(record).expect("a replica record serializes");
    let lease_id = lease.id();
    let txn = Txn::new()
        .when([Compare::create_revision(key.clone(), CompareOp::Equal, 0)])
        .and_then([TxnOp::put(
            key.clone(),
            value.clone(),
            Some(PutOptions::new().with_lease(lease_id)),
        )])
        .or_else([TxnOp::get(key.clone(), None)]);
    let answer = etcd
        .call("registering the replica", move |mut client| async move {
            client.txn(txn).await
        })
        .await?;
    let held_by_other = answer.op_responses().into_iter().any(|op| match op {
        etcd_client::TxnOpResponse::Get(got) => got.kvs().iter().any(|kv| kv.lease() != lease_id),
        _ => false,
    });
    if !answer.succeeded() && held_by_other {
        return Err(HaError::NameTaken {
            replica: record.replica.clone(),
        });
    }
    Ok(())
}

/// Every registered replica, by name.
pub async fn replicas(etcd: &Etcd, keys: &Keys) -> Result<Vec<ReplicaRecord>, HaError> {
    let prefix = keys.replicas();
    let read = etcd
        .call("listing the replicas", move |mut client| async move {
            client
                .get(prefix, Some(GetOptions::new().with_prefix()))
                .await
        })
        .await?;
    read.kvs()
        .iter()
        .map(|kv| {
            serde_json::from_slice(kv.value()).map_err(|source| HaError::Decode {
                key: String::from_utf8_lossy(kv.key()).into_owned(),
                source,
            })
        })
        .collect()
}
