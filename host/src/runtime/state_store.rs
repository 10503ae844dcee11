//! A policy's key-value state: bounded in size, and transactional per
//! evaluation — a failed evaluation leaves the state as it was.
//!
//! The state is a persistent map: an evaluation works on a copy that shares
//! every untouched node with the original, so beginning, committing and
//! rolling back are constant-time whatever the policy wrote, and the host's
//! time for an evaluation does not grow with the state it leaves behind.
//! Every entry is charged [`ENTRY_OVERHEAD_BYTES`] beside its key and value,
//! so a quota bounds the number of entries too, and with it what the state
//! costs the host in memory and on disk.

use std::collections::BTreeMap;
use std::sync::Arc;

use imbl::OrdMap;
use imbl::ordmap::DiffItem;

/// Longest key a policy may use, in bytes.
const MAX_KEY_BYTES: usize = 256;

/// What each entry costs against the quota beside its key and value bytes:
/// about what the host spends to hold it (the map's node share, the key's and
/// value's headers and allocations) and to store it (the database's record).
pub const ENTRY_OVERHEAD_BYTES: u64 = 64;

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateWriteError {
    InvalidKey,
    QuotaExceeded(u64),
}

/// One policy's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyState {
    entries: OrdMap<Arc<str>, Arc<[u8]>>,
    used_bytes: u64,
}

impl PolicyState {
    /// State holding `entries`, as restored from storage.
    pub fn from_entries(entries: BTreeMap<String, Vec<u8>>) -> Self {
        let used_bytes = entries.iter().map(|(k, v)| entry_size(k, v)).sum();
        PolicyState {
            entries: entries
                .into_iter()
                .map(|(key, value)| (Arc::<str>::from(key), Arc::<[u8]>::from(value)))
                .collect(),
            used_bytes,
        }
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(|value| &**value)
    }

    /// Every key and value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().map(|(key, value)| (&**key, &**value))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the policy keeps nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes charged against the quota: keys, values and
    /// [`ENTRY_OVERHEAD_BYTES`] per entry.
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    /// What changed since `earlier`: each key written (with its new value)
    /// or removed (`None`), in key order. Nodes the two share are skipped,
    /// so this costs the change, not the size of the state.
    pub fn changes_since<'a>(
        &'a self,
        earlier: &'a PolicyState,
    ) -> impl Iterator<Item = (&'a str, Option<&'a [u8]>)> {
        earlier.entries.diff(&self.entries).map(|item| match item {
            DiffItem::Add(key, value)
            | DiffItem::Update {
                new: (key, value), ..
            } => (&**key, Some(&**value)),
            DiffItem::Remove(key, _) => (&**key, None),
        })
    }

    /// Start an evaluation's transaction over this state.
    pub(crate) fn begin(&self, quota_bytes: u64) -> StateTxn {
        StateTxn {
            state: self.clone(),
            quota_bytes,
        }
    }
}

fn entry_size(key: &str, value: &[u8]) -> u64 {
    (key.len() + value.len()) as u64 + ENTRY_OVERHEAD_BYTES
}

/// The state during one evaluation: a copy that shares the original's nodes.
/// Dropping it is the rollback; [`StateTxn::commit`] keeps it.
#[derive(Debug, Default)]
pub(crate) struct StateTxn {
    state: PolicyState,
    quota_bytes: u64,
}

impl StateTxn {
    pub(crate) fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.state.get(key).map(<[u8]>::to_vec)
    }

    pub(crate) fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StateWriteError> {
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return Err(StateWriteError::InvalidKey);
        }
        let old_size = self
            .state
            .entries
            .get(key.as_str())
            .map_or(0, |v| entry_size(&key, v));
        let new_used = self.state.used_bytes - old_size + entry_size(&key, &value);
        if new_used > self.quota_bytes {
            return Err(StateWriteError::QuotaExceeded(self.quota_bytes));
        }
        self.state.used_bytes = new_used;
        self.state.entries.insert(key.into(), value.into());
        Ok(())
    }

    pub(crate) fn delete(&mut self, key: &str) {
        if let Some(previous) = self.state.entries.remove(key) {
            self.state.used_bytes -= entry_size(key, &previous);
        }
    }

    /// The state with every write kept.
    pub(crate) fn commit(self) -> PolicyState {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_with(pairs: &[(&str, &[u8])]) -> PolicyState {
        PolicyState::from_entries(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_vec()))
                .collect(),
        )
    }

    #[test]
    fn a_dropped_transaction_leaves_the_state_as_it_was() {
        let before = state_with(&[("a", b"1"), ("b", b"22")]);
        let mut txn = before.begin(1024);
        txn.set("a".into(), b"changed".to_vec()).unwrap();
        txn.set("c".into(), b"new".to_vec()).unwrap();
        txn.delete("b");
        txn.set("a".into(), b"twice".to_vec()).unwrap();
        drop(txn);
        assert_eq!(before, state_with(&[("a", b"1"), ("b", b"22")]));
        assert_eq!(before.get("a"), Some(&b"1"[..]));
    }

    #[test]
    fn changes_since_lists_writes_and_removals() {
        let before = state_with(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let mut txn = before.begin(1024);
        txn.set("a".into(), b"9".to_vec()).unwrap();
        txn.delete("b");
        txn.set("d".into(), b"4".to_vec()).unwrap();
        let after = txn.commit();
        let changes: Vec<_> = after.changes_since(&before).collect();
        assert_eq!(
            changes,
            [("a", Some(&b"9"[..])), ("b", None), ("d", Some(&b"4"[..]))]
        );
        assert_eq!(after.changes_since(&after).count(), 0);
    }

    #[test]
    fn commit_keeps_writes_and_tracks_size() {
        let mut txn = PolicyState::default().begin(1024);
        txn.set("key".into(), vec![0; 10]).unwrap();
        txn.set("key".into(), vec![0; 4]).unwrap();
        let state = txn.commit();
        assert_eq!(state.used_bytes(), 7 + ENTRY_OVERHEAD_BYTES);
        assert_eq!(state.get("key"), Some(&[0; 4][..]));
        assert_eq!(state.len(), 1);
    }

    #[test]
    fn quota_and_key_rules_are_enforced() {
        let quota = 16 + ENTRY_OVERHEAD_BYTES;
        let mut txn = PolicyState::default().begin(quota);
        assert_eq!(
            txn.set(String::new(), vec![]),
            Err(StateWriteError::InvalidKey)
        );
        assert_eq!(
            txn.set("k".repeat(257), vec![]),
            Err(StateWriteError::InvalidKey)
        );
        assert_eq!(
            txn.set("k".into(), vec![0; 16]),
            Err(StateWriteError::QuotaExceeded(quota))
        );
        txn.set("k".into(), vec![0; 15]).unwrap();
        // Replacing a value counts the old one as freed.
        txn.set("k".into(), vec![1; 15]).unwrap();
        assert_eq!(txn.commit().used_bytes(), quota);
    }

    #[test]
    fn every_entry_costs_its_overhead_so_tiny_keys_cannot_flood_the_host() {
        let quota = 64 << 10;
        let mut txn = PolicyState::default().begin(quota);
        let mut written = 0u64;
        while txn.set(format!("k{written}"), Vec::new()).is_ok() {
            written += 1;
        }
        // Each key is a few bytes; the overhead is what bounds the count.
        assert!(written <= quota / ENTRY_OVERHEAD_BYTES, "{written} entries");
        assert!(
            written >= quota / (ENTRY_OVERHEAD_BYTES + 8),
            "{written} entries"
        );
    }
}
