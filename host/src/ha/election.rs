//! The election: a replica leads while the leader key, bound to its lease,
//! is the one it created. A campaign is one transaction: create the key if
//! no one holds it (its create revision is 0), else read it. Whoever's
//! create succeeds leads; the key's create revision is its term, the fence
//! of every write it makes. The key goes when the leader's lease expires or
//! is revoked, and the next campaign of a standby takes it.

use serde::{Deserialize, Serialize};

use etcd_client::{Compare, CompareOp, PutOptions, Txn, TxnOp, TxnOpResponse};

use super::error::HaError;
use super::etcd::Etcd;
use super::keys::Keys;
use super::lease::Lease;

/// The leader key's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaderRecord {
    pub replica: String,
    /// When it took the lead, in ms since the Unix epoch.
    pub since_ms: u64,
}

/// How a campaign ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Campaign {
    /// This replica leads `term`: it just created the leader key, or the
    /// key is still the one it created under its lease.
    Won { term: i64 },
    /// Another replica leads.
    Lost { leader: LeaderRecord },
}

/// Campaign for the lead as `replica` under `lease`.
pub async fn campaign(
    etcd: &Etcd,
    keys: &Keys,
    replica: &str,
    lease: &Lease,
    now_ms: u64,
) -> Result<Campaign, HaError> {
    let key = keys.leader();
    let record = LeaderRecord {
        replica: replica.to_owned(),
        since_ms: now_ms,
    };
    let value = serde_json::to_vec(&record).expect("a leader record serializes");
    let txn = Txn::new()
        .when([Compare::create_revision(key.clone(), CompareOp::Equal, 0)])
        .and_then([TxnOp::put(
            key.clone(),
            value,
            Some(PutOptions::new().with_lease(lease.id())),
        )])
        .or_else([TxnOp::get(key.clone(), None)]);
    let answer = etcd
        .call("campaigning", move |mut client| async move {
            client.txn(txn).await
        })
        .await?;
    if answer.succeeded() {
        let term = answer.header().map_or(0, |header| header.revision());
        return Ok(Campaign::Won { term });
    }
    let held = answer.op_responses().into_iter().find_map(|op| match op {
        TxnOpResponse::Get(got) => got.kvs().first().cloned(),
        _ => None,
    });
    // Deleted between the compare and the read cannot happen: one txn.
    let Some(kv) = held else {
        return Err(HaError::KeyGone);
    };
    if kv.lease() == lease.id() {
        return Ok(Campaign::Won {
            term: kv.create_revision(),
        });
    }
    let leader = serde_json::from_slice(kv.value()).map_err(|source| HaError::Decode {
        key: key.clone(),
        source,
    })?;
    Ok(Campaign::Lost { leader })
}

/// Who leads now, and the term; `None` while no one does.
pub async fn leader(etcd: &Etcd, keys: &Keys) -> Result<Option<(LeaderRecord, i64)>, HaError> {
    let key = keys.leader();
    let read = etcd
        .call("reading the leader", {
            let key = key.clone();
            move |mut client| async move { client.get(key, None).await }
        })
        .await?;
    let Some(kv) = read.kvs().first() else {
        return Ok(None);
    };
    let record =
        serde_json::from_slice(kv.value()).map_err(|source| HaError::Decode { key, source })?;
    Ok(Some((record, kv.create_revision())))
}
