//! [`SharedStore`]: the engine's state for replicas. What a new leader must
//! know to carry on where the last one stopped — each policy's state, the
//! guard clocks, the intents of cycles being applied, the MIG rollouts in
//! progress and the cycle count — lives in etcd ([`super::keys`]), and the
//! leader writes it only under its fence, each cycle's writes in one
//! transaction. The audit log, the recorded snapshots and what was last
//! applied stay in this replica's own store; each record names the replica
//! that applied the cycle.
//!
//! The crash-safe protocol of [`crate::store`] carries over: the intent and
//! the state it came from are in etcd before anything is applied, and one
//! transaction keeps the state the cycle leaves and drops the intent. A new
//! leader finds the intent of a cycle its predecessor did not finish,
//! records it as interrupted, and plans from the observed state.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use etcd_client::{GetOptions, TxnOp};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::HaError;
use super::etcd::Etcd;
use super::keys::Keys;
use super::leadership::Leadership;
use crate::actuators::mig::rollouts::SavedRollouts;
use crate::guard::GuardClocks;
use crate::runtime::PolicyState;
use crate::store::{
    AuditRecord, CycleState, Intent, RecordedInputs, StateBackend, StateError, Store, StoreError,
};

/// The engine's state in etcd, its audit log in `local`.
pub struct SharedStore {
    etcd: Etcd,
    keys: Keys,
    leadership: Leadership,
    replica: String,
    local: Store,
    /// Each policy's state as etcd holds it, once this replica read or wrote
    /// it: a save writes only the policies that changed.
    saved: Mutex<BTreeMap<String, PolicyState>>,
}

impl SharedStore {
    pub(super) fn new(
        etcd: Etcd,
        keys: Keys,
        leadership: Leadership,
        replica: &str,
        local: Store,
    ) -> SharedStore {
        SharedStore {
            etcd,
            keys,
            leadership,
            replica: replica.to_owned(),
            local,
            saved: Mutex::new(BTreeMap::new()),
        }
    }

    /// The value under `key`, linearizably read; `None` when absent.
    fn get(&self, operation: &'static str, key: String) -> Result<Option<Vec<u8>>, HaError> {
        let read = self
            .etcd
            .call_blocking(operation, move |mut client| async move {
                client.get(key, None).await
            })?;
        Ok(read.kvs().first().map(|kv| kv.value().to_vec()))
    }

    /// The JSON value under `key`; the default when absent.
    fn get_json<T: DeserializeOwned + Default>(
        &self,
        operation: &'static str,
        key: String,
    ) -> Result<T, HaError> {
        match self.get(operation, key.clone())? {
            Some(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| HaError::Decode { key, source })
            }
            None => Ok(T::default()),
        }
    }

    /// The last cycle recorded in etcd; 0 before the first.
    fn last_cycle(&self) -> Result<u64, HaError> {
        self.get_json("reading the cycle count", self.keys.cycle())
    }

    /// The puts of what `state` changed since etcd last held it.
    fn state_ops(&self, state: &CycleState<'_>) -> Vec<TxnOp> {
        let saved = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        let mut ops = Vec::new();
        for &(policy, policy_state) in state.policies {
            if saved.get(policy) == Some(policy_state) {
                continue;
            }
            let key = self.keys.policy_state(policy);
            ops.push(match policy_state.is_empty() {
                true => TxnOp::delete(key, None),
                false => TxnOp::put(key, encode_state(policy_state), None),
            });
        }
        if let Some(clocks) = state.clocks {
            ops.push(TxnOp::put(self.keys.clocks(), json(clocks), None));
        }
        ops
    }

    /// Note what a committed transaction saved.
    fn remember(&self, state: &CycleState<'_>) {
        let mut saved = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        for &(policy, policy_state) in state.policies {
            saved.insert(policy.to_owned(), policy_state.clone());
        }
    }
}

impl StateBackend for SharedStore {
    fn next_cycle(&self) -> Result<u64, StateError> {
        let prefix = self.keys.intents();
        let intents =
            self.etcd
                .call_blocking("reading the intents", move |mut client| async move {
                    let options = GetOptions::new().with_prefix().with_keys_only();
                    client.get(prefix, Some(options)).await
                })?;
        let intended = intents
            .kvs()
            .iter()
            .filter_map(|kv| {
                std::str::from_utf8(kv.key())
                    .ok()?
                    .rsplit('/')
                    .next()?
                    .parse()
                    .ok()
            })
            .max()
            .unwrap_or(0);
        // The local log too: a cycle it holds is never numbered again.
        let recorded = self.local.next_cycle()? - 1;
        Ok(self.last_cycle()?.max(intended).max(recorded) + 1)
    }

    fn load_policy_state(&self, policy: &str) -> Result<PolicyState, StateError> {
        let key = self.keys.policy_state(policy);
        let state = match self.get("reading policy state", key.clone())? {
            Some(bytes) => {
                decode_state(&bytes).map_err(|source| HaError::Decode { key, source })?
            }
            None => PolicyState::default(),
        };
        self.saved
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(policy.to_owned(), state.clone());
        Ok(state)
    }

    fn load_clocks(&self) -> Result<GuardClocks, StateError> {
        Ok(self.get_json("reading the guard clocks", self.keys.clocks())?)
    }

    fn load_mig_rollouts(&self) -> Result<SavedRollouts, StateError> {
        Ok(self.get_json("reading the MIG rollouts", self.keys.mig_rollouts())?)
    }

    fn save_mig_rollouts(&self, rollouts: &SavedRollouts) -> Result<(), StateError> {
        let put = TxnOp::put(self.keys.mig_rollouts(), json(rollouts), None);
        Ok(self
            .leadership
            .fenced("saving the MIG rollouts", vec![put])?)
    }

    fn write_intent(&self, intent: &Intent, state: &CycleState<'_>) -> Result<(), StateError> {
        let intent = Intent {
            replica: Some(self.replica.clone()),
            ..intent.clone()
        };
        let mut ops = vec![TxnOp::put(
            self.keys.intent(intent.cycle),
            json(&intent),
            None,
        )];
        ops.extend(self.state_ops(state));
        self.leadership.fenced("writing the intent", ops)?;
        self.remember(state);
        Ok(())
    }

    fn complete_cycle(
        &self,
        record: &AuditRecord,
        inputs: Option<&RecordedInputs>,
        state: &CycleState<'_>,
    ) -> Result<(), StateError> {
        // This replica's log first: a cycle it applied is in its log even
        // when the shared state can no longer be written.
        let record = AuditRecord {
            replica: Some(self.replica.clone()),
            ..record.clone()
        };
        let nothing_shared = CycleState {
            policies: &[],
            clocks: None,
        };
        self.local
            .complete_cycle(&record, inputs, &nothing_shared)?;
        let mut ops = self.state_ops(state);
        ops.push(TxnOp::put(self.keys.cycle(), json(&record.cycle), None));
        ops.push(TxnOp::delete(self.keys.intent(record.cycle), None));
        self.leadership.fenced("completing the cycle", ops)?;
        self.remember(state);
        Ok(())
    }

    fn incomplete_intents(&self) -> Result<Vec<Intent>, StateError> {
        let prefix = self.keys.intents();
        let read =
            self.etcd
                .call_blocking("reading the intents", move |mut client| async move {
                    client
                        .get(prefix, Some(GetOptions::new().with_prefix()))
                        .await
                })?;
        let mut intents = Vec::new();
        for kv in read.kvs() {
            let intent = serde_json::from_slice(kv.value()).map_err(|source| HaError::Decode {
                key: String::from_utf8_lossy(kv.key()).into_owned(),
                source,
            })?;
            intents.push(intent);
        }
        Ok(intents)
    }

    fn close_interrupted(&self, intent: &Intent, note: &str) -> Result<(), StateError> {
        let applier = intent.replica.as_deref().unwrap_or("a replica");
        let note = format!(
            "{applier} stopped applying it; {} leads now: {note}",
            self.replica
        );
        match self.local.close_interrupted(intent, &note) {
            // This replica recorded the cycle itself before it lost the lead.
            Ok(()) | Err(StoreError::AuditExists { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        let mut ops = vec![TxnOp::delete(self.keys.intent(intent.cycle), None)];
        if intent.cycle > self.last_cycle()? {
            ops.push(TxnOp::put(self.keys.cycle(), json(&intent.cycle), None));
        }
        Ok(self
            .leadership
            .fenced("closing an interrupted cycle", ops)?)
    }
}

fn json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    // Plain records: no maps with non-string keys, no custom serializers.
    serde_json::to_vec(value).expect("shared state serializes to JSON")
}

/// A policy's state as etcd holds it: a JSON object, each value in hex.
fn encode_state(state: &PolicyState) -> Vec<u8> {
    let entries: BTreeMap<&str, String> = state
        .iter()
        .map(|(key, value)| (key, hex::encode(value)))
        .collect();
    json(&entries)
}

fn decode_state(bytes: &[u8]) -> Result<PolicyState, serde_json::Error> {
    let entries: BTreeMap<String, String> = serde_json::from_slice(bytes)?;
    let entries = entries
        .into_iter()
        .map(|(key, value)| {
            hex::decode(&value)
                .map(|value| (key, value))
                .map_err(<serde_json::Error as serde::de::Error>::custom)
        })
        .collect::<Result<_, _>>()?;
    Ok(PolicyState::from_entries(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_state_reads_back_as_written() {
        let state = PolicyState::from_entries(BTreeMap::from([
            ("count".to_owned(), 7u64.to_le_bytes().to_vec()),
            ("empty".to_owned(), Vec::new()),
        ]));
        assert_eq!(decode_state(&encode_state(&state)).unwrap(), state);
        assert!(decode_state(br#"{"k":"not hex"}"#).is_err());
    }
}
