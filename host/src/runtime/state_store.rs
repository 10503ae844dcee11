//! A policy's key-value state: bounded in size, and transactional per
//! evaluation — writes are journaled and undone when the evaluation fails.

use std::collections::BTreeMap;

/// Longest key a policy may use, in bytes.
const MAX_KEY_BYTES: usize = 256;

/// Why a write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateWriteError {
    InvalidKey,
    QuotaExceeded(u64),
}

/// One policy's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyState {
    entries: BTreeMap<String, Vec<u8>>,
    used_bytes: u64,
}

impl PolicyState {
    /// State holding `entries`, as restored from storage.
    pub fn from_entries(entries: BTreeMap<String, Vec<u8>>) -> Self {
        let used_bytes = entries.iter().map(|(k, v)| entry_size(k, v)).sum();
        PolicyState {
            entries,
            used_bytes,
        }
    }

    /// Every key and value.
    pub fn entries(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.entries
    }

    /// Bytes of keys and values held.
    pub fn used_bytes(&self) -> u64 {
        self.used_bytes
    }

    /// Start an evaluation's transaction over this state.
    pub(crate) fn begin(self, quota_bytes: u64) -> StateTxn {
        StateTxn {
            state: self,
            quota_bytes,
            undo: Vec::new(),
        }
    }
}

fn entry_size(key: &str, value: &[u8]) -> u64 {
    (key.len() + value.len()) as u64
}

/// The state during one evaluation, with the journal to undo its writes.
#[derive(Debug)]
pub(crate) struct StateTxn {
    state: PolicyState,
    quota_bytes: u64,
    undo: Vec<(String, Option<Vec<u8>>)>,
}

impl StateTxn {
    pub(crate) fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.state.entries.get(key).cloned()
    }

    pub(crate) fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StateWriteError> {
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return Err(StateWriteError::InvalidKey);
        }
        let old_size = self
            .state
            .entries
            .get(&key)
            .map_or(0, |v| entry_size(&key, v));
        let new_used = self.state.used_bytes - old_size + entry_size(&key, &value);
        if new_used > self.quota_bytes {
            return Err(StateWriteError::QuotaExceeded(self.quota_bytes));
        }
        self.state.used_bytes = new_used;
        let previous = self.state.entries.insert(key.clone(), value);
        self.undo.push((key, previous));
        Ok(())
    }

    pub(crate) fn delete(&mut self, key: &str) {
        if let Some(previous) = self.state.entries.remove(key) {
            self.state.used_bytes -= entry_size(key, &previous);
            self.undo.push((key.to_owned(), Some(previous)));
        }
    }

    /// Keep every write.
    pub(crate) fn commit(self) -> PolicyState {
        self.state
    }

    /// Undo every write, newest first, giving back the state as it was.
    pub(crate) fn rollback(mut self) -> PolicyState {
        while let Some((key, previous)) = self.undo.pop() {
            if let Some(current) = self.state.entries.remove(&key) {
                self.state.used_bytes -= entry_size(&key, &current);
            }
            if let Some(previous) = previous {
                self.state.used_bytes += entry_size(&key, &previous);
                self.state.entries.insert(key, previous);
            }
        }
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
    fn rollback_restores_every_write_and_delete() {
        let before = state_with(&[("a", b"1"), ("b", b"22")]);
        let mut txn = before.clone().begin(1024);
        txn.set("a".into(), b"changed".to_vec()).unwrap();
        txn.set("c".into(), b"new".to_vec()).unwrap();
        txn.delete("b");
        txn.set("a".into(), b"twice".to_vec()).unwrap();
        assert_eq!(txn.rollback(), before);
    }

    #[test]
    fn commit_keeps_writes_and_tracks_size() {
        let mut txn = PolicyState::default().begin(1024);
        txn.set("key".into(), vec![0; 10]).unwrap();
        txn.set("key".into(), vec![0; 4]).unwrap();
        let state = txn.commit();
        assert_eq!(state.used_bytes(), 7);
        assert_eq!(state.entries()["key"], vec![0; 4]);
    }

    #[test]
    fn quota_and_key_rules_are_enforced() {
        let mut txn = PolicyState::default().begin(16);
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
            Err(StateWriteError::QuotaExceeded(16))
        );
        txn.set("k".into(), vec![0; 15]).unwrap();
        // Replacing a value counts the old one as freed.
        txn.set("k".into(), vec![1; 15]).unwrap();
        assert_eq!(txn.commit().used_bytes(), 16);
    }
}
