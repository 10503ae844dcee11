//! Applies per-pool change sets: each pool's member changes go out in one transaction, after a
//! diff against what the box has, so a pool is never half-changed and an unchanged pool sends no
//! write. A caller that diffed its change sets against the box moments before may skip the
//! actuator's own read ([`Baseline::Caller`]).

use std::collections::BTreeMap;

use futures_util::future;
use futures_util::stream::{self, StreamExt, TryStreamExt};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::task::JoinSet;

use crate::client::{Client, Error, member_path};
use crate::path::FullPath;
use crate::wire;

/// A member's administrative state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberState {
    /// Takes new connections.
    Enabled,
    /// Takes only connections of clients with persistence records.
    Disabled,
    /// Takes no connections at all.
    ForcedOffline,
}

impl MemberState {
    /// The `session`/`state` pair real clients send for this state.
    pub fn wire_pair(self) -> (&'static str, &'static str) {
        match self {
            MemberState::Enabled => ("user-enabled", "user-up"),
            MemberState::Disabled => ("user-disabled", "user-up"),
            MemberState::ForcedOffline => ("user-disabled", "user-down"),
        }
    }

    /// Reads the state from a member's `session` and `state` as the device reports them.
    pub fn from_wire(session: &str, state: &str) -> MemberState {
        match (session, state) {
            (_, "user-down") => MemberState::ForcedOffline,
            ("user-disabled", _) => MemberState::Disabled,
            _ => MemberState::Enabled,
        }
    }
}

/// The desired settings of one member; `None` leaves a setting as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberChange {
    /// Member name, `node:port` (partition `Common`) or a full path `/P/node:port`.
    pub member: String,
    /// Weight for `ratio-*` load-balancing modes.
    pub ratio: Option<u32>,
    /// Administrative state.
    pub state: Option<MemberState>,
    /// Concurrent connection cap; 0 = unlimited.
    pub connection_limit: Option<u32>,
}

/// Every change wanted for one pool.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolChangeSet {
    /// Pool name or full path, e.g. `mlPool` or `/Common/mlPool`.
    pub pool: String,
    /// Member changes; members left out are not touched.
    pub members: Vec<MemberChange>,
}

/// What happened to one pool's change set.
#[derive(Debug)]
pub struct PoolOutcome {
    /// The pool's full path.
    pub pool: FullPath,
    /// Applied, unchanged, or failed with the BIG-IP's status and message.
    pub result: PoolResult,
}

/// The result for one pool.
#[derive(Debug)]
pub enum PoolResult {
    /// The box already matched; nothing was written.
    Unchanged,
    /// One transaction changed this many members.
    Applied {
        /// Members whose ratio or state the transaction changed.
        members_changed: usize,
    },
    /// Nothing of this pool's change set was applied.
    Failed(ApplyError),
}

/// Why a pool's change set was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// A change names a member the pool does not have.
    #[error("pool {pool}: member {member} was not found in the pool")]
    UnknownMember {
        /// The pool changed.
        pool: FullPath,
        /// The member it lacks.
        member: FullPath,
    },
    /// A request failed; the transaction was not committed, or its commit was refused.
    #[error("pool {pool}: {source}")]
    Device {
        /// The pool changed.
        pool: FullPath,
        /// The failed request.
        #[source]
        source: Error,
    },
}

/// What a change set is diffed against before it is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Baseline {
    /// Read the pool's members and patch only the fields that differ (the default).
    #[default]
    Device,
    /// The caller diffed the change set against the box moments ago: patch every field it
    /// names, without reading the pool again. A field already at its value is rewritten, which
    /// changes nothing; a member gone since makes the pool's transaction fail whole.
    Caller,
}

/// Applies change sets to one BIG-IP.
#[derive(Clone, Debug)]
pub struct Actuator {
    client: Client,
    transaction_concurrency: usize,
    baseline: Baseline,
}

impl Actuator {
    /// An actuator writing through `client`, queueing one transaction command at a time, after
    /// reading each pool to diff against.
    pub fn new(client: Client) -> Actuator {
        Actuator {
            client,
            transaction_concurrency: 1,
            baseline: Baseline::Device,
        }
    }

    /// Diff change sets against `baseline`.
    pub fn with_baseline(mut self, baseline: Baseline) -> Actuator {
        self.baseline = baseline;
        self
    }

    /// Queue up to `commands` commands into a pool's transaction at once (at least 1).
    ///
    /// A pool's transaction holds one command per changed member and none depends on another,
    /// so the order the device numbers them in does not matter, and the commit still applies
    /// all of them or none. Concurrent requests shorten a large change set's round trips at
    /// the cost of that many requests in flight on the device's REST service.
    pub fn with_transaction_concurrency(mut self, commands: usize) -> Actuator {
        self.transaction_concurrency = commands.max(1);
        self
    }

    /// Applies every change set, pools in parallel, each pool in one transaction. The outcomes
    /// are in the order of `change_sets`.
    pub async fn apply(&self, change_sets: &[PoolChangeSet]) -> Vec<PoolOutcome> {
        let mut tasks = JoinSet::new();
        for (index, change_set) in change_sets.iter().cloned().enumerate() {
            let client = self.client.clone();
            let (concurrency, baseline) = (self.transaction_concurrency, self.baseline);
            tasks.spawn(async move {
                let outcome = apply_pool(&client, change_set, concurrency, baseline).await;
                (index, outcome)
            });
        }
        let mut outcomes: Vec<Option<PoolOutcome>> = change_sets.iter().map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            // A panic in a pool task is a bug in this module; it is not a device failure.
            let (index, outcome) = joined.expect("pool apply task panicked");
            outcomes[index] = Some(outcome);
        }
        outcomes.into_iter().flatten().collect()
    }
}

async fn apply_pool(
    client: &Client,
    change_set: PoolChangeSet,
    concurrency: usize,
    baseline: Baseline,
) -> PoolOutcome {
    let pool = FullPath::parse(&change_set.pool);
    let planned = match baseline {
        Baseline::Device => plan_pool(client, &pool, &change_set.members).await,
        Baseline::Caller => Ok(change_set
            .members
            .iter()
            .filter_map(|change| Some((FullPath::parse(&change.member), patch(change)?)))
            .collect()),
    };
    let result = match planned {
        Ok(patches) if patches.is_empty() => PoolResult::Unchanged,
        Ok(patches) => match write_pool(client, &pool, &patches, concurrency).await {
            Ok(()) => PoolResult::Applied {
                members_changed: patches.len(),
            },
            Err(source) => PoolResult::Failed(ApplyError::Device {
                pool: pool.clone(),
                source,
            }),
        },
        Err(error) => PoolResult::Failed(error),
    };
    match &result {
        PoolResult::Failed(error) => {
            tracing::warn!(message = "bigip pool change failed", %pool, %error)
        }
        PoolResult::Applied { members_changed } => {
            tracing::info!(message = "bigip pool changed", %pool, members_changed)
        }
        PoolResult::Unchanged => tracing::debug!(message = "bigip pool unchanged", %pool),
    }
    PoolOutcome { pool, result }
}

/// Reads the pool's members and returns the PATCH body for each member that differs.
async fn plan_pool(
    client: &Client,
    pool: &FullPath,
    changes: &[MemberChange],
) -> Result<Vec<(FullPath, Value)>, ApplyError> {
    let current = client
        .pool_members(pool)
        .await
        .map_err(|source| ApplyError::Device {
            pool: pool.clone(),
            source,
        })?;
    let by_path: BTreeMap<FullPath, &wire::PoolMember> = current
        .iter()
        .map(|member| (FullPath::parse(&member.full_path), member))
        .collect();
    let mut patches = Vec::new();
    for change in changes {
        let path = FullPath::parse(&change.member);
        let member = by_path
            .get(&path)
            .ok_or_else(|| ApplyError::UnknownMember {
                pool: pool.clone(),
                member: path.clone(),
            })?;
        if let Some(body) = member_patch(member, change) {
            patches.push((path, body));
        }
    }
    Ok(patches)
}

/// The fields of `change` that differ from `member`, as a PATCH body; `None` when none differ.
pub(crate) fn member_patch(member: &wire::PoolMember, change: &MemberChange) -> Option<Value> {
    patch(&MemberChange {
        member: String::new(),
        ratio: change.ratio.filter(|ratio| *ratio != member.ratio),
        connection_limit: change
            .connection_limit
            .filter(|limit| *limit != member.connection_limit),
        state: change
            .state
            .filter(|state| *state != MemberState::from_wire(&member.session, &member.state)),
    })
}

/// Every field `change` names, as a PATCH body; `None` when it names none.
fn patch(change: &MemberChange) -> Option<Value> {
    let mut body = Map::new();
    if let Some(ratio) = change.ratio {
        body.insert("ratio".into(), json!(ratio));
    }
    if let Some(limit) = change.connection_limit {
        body.insert("connectionLimit".into(), json!(limit));
    }
    if let Some(state) = change.state {
        let (session, state) = state.wire_pair();
        body.insert("session".into(), json!(session));
        body.insert("state".into(), json!(state));
    }
    (!body.is_empty()).then_some(Value::Object(body))
}

/// Queues every PATCH in one transaction, up to `concurrency` at a time, and commits it.
///
/// Each member has at most one command and no command depends on another, so the order the
/// device numbers them in (`evalOrder`, by arrival) does not matter.
async fn write_pool(
    client: &Client,
    pool: &FullPath,
    patches: &[(FullPath, Value)],
    concurrency: usize,
) -> Result<(), Error> {
    let transaction = client.begin_transaction().await?;
    let transaction_ref = &transaction;
    let commands: Vec<_> = patches
        .iter()
        .map(|(member, body)| {
            let path = member_path(pool, member);
            async move { transaction_ref.queue(Method::PATCH, &path, body).await }
        })
        .collect();
    let queued = stream::iter(commands)
        .buffer_unordered(concurrency)
        .try_for_each(|_| future::ready(Ok(())))
        .await;
    if let Err(error) = queued {
        if let Err(rollback) = transaction.rollback().await {
            tracing::debug!(message = "bigip transaction rollback failed; it will expire", %pool, error = %rollback);
        }
        return Err(error);
    }
    transaction.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(session: &str, state: &str, ratio: u32) -> wire::PoolMember {
        serde_json::from_value(json!({
            "kind": "tm:ltm:pool:members:membersstate", "name": "ml-node-1:80", "partition": "Common",
            "fullPath": "/Common/ml-node-1:80", "address": "127.0.1.1", "connectionLimit": 0,
            "ratio": ratio, "session": session, "state": state
        }))
        .unwrap()
    }

    #[test]
    fn states_map_to_the_pairs_real_clients_send() {
        assert_eq!(
            MemberState::Enabled.wire_pair(),
            ("user-enabled", "user-up")
        );
        assert_eq!(
            MemberState::Disabled.wire_pair(),
            ("user-disabled", "user-up")
        );
        assert_eq!(
            MemberState::ForcedOffline.wire_pair(),
            ("user-disabled", "user-down")
        );
        assert_eq!(
            MemberState::from_wire("monitor-enabled", "down"),
            MemberState::Enabled
        );
        assert_eq!(
            MemberState::from_wire("user-disabled", "unchecked"),
            MemberState::Disabled
        );
        assert_eq!(
            MemberState::from_wire("user-disabled", "user-down"),
            MemberState::ForcedOffline
        );
    }

    #[test]
    fn only_differing_fields_are_patched() {
        let current = member("monitor-enabled", "up", 3);
        let same = MemberChange {
            member: "ml-node-1:80".into(),
            ratio: Some(3),
            state: Some(MemberState::Enabled),
            connection_limit: Some(0),
        };
        assert_eq!(member_patch(&current, &same), None);
        let drain = MemberChange {
            state: Some(MemberState::ForcedOffline),
            ..same.clone()
        };
        assert_eq!(
            member_patch(&current, &drain),
            Some(json!({"session": "user-disabled", "state": "user-down"}))
        );
        let weigh = MemberChange {
            ratio: Some(7),
            ..same
        };
        assert_eq!(member_patch(&current, &weigh), Some(json!({"ratio": 7})));
    }
}
