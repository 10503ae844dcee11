//! [`MemoryHost`]: an in-memory [`Host`] that follows the contract's state rules.

use std::collections::BTreeMap;

use crate::{Host, Level, StateError};

/// A [`Host`] that keeps state in a map and records log lines.
///
/// Key length and quota are checked as the host checks them: keys are 1..=256
/// bytes (else [`StateError::InvalidKey`]) and the bytes of all keys and values,
/// plus [`ENTRY_OVERHEAD_BYTES`] for every entry, may not exceed
/// [`quota`](MemoryHost::quota) (else [`StateError::QuotaExceeded`]). Unlike the host it keeps every log line
/// whole, and writes are not rolled back when a policy returns an error.
#[derive(Clone, Debug, PartialEq)]
pub struct MemoryHost {
    /// The stored values by key.
    pub state: BTreeMap<String, Vec<u8>>,
    /// The most bytes of keys and values together that the state may hold.
    pub quota: u64,
    /// Every message logged, in order.
    pub logs: Vec<(Level, String)>,
}

impl MemoryHost {
    /// The host's default state quota: 1 MiB.
    pub const DEFAULT_QUOTA: u64 = 1 << 20;

    /// An empty host with the default quota.
    pub fn new() -> Self {
        Self::with_quota(Self::DEFAULT_QUOTA)
    }

    /// An empty host with a quota of `quota` bytes.
    pub fn with_quota(quota: u64) -> Self {
        MemoryHost {
            state: BTreeMap::new(),
            quota,
            logs: Vec::new(),
        }
    }

    /// Bytes of keys and values stored now.
    pub fn used_bytes(&self) -> u64 {
        self.state
            .iter()
            .map(|(key, value)| entry_bytes(key, value))
            .sum()
    }

    /// The messages logged at `level`, in order.
    pub fn logged(&self, level: Level) -> impl Iterator<Item = &str> {
        self.logs
            .iter()
            .filter(move |(at, _)| *at == level)
            .map(|(_, message)| message.as_str())
    }
}

impl Default for MemoryHost {
    fn default() -> Self {
        Self::new()
    }
}

impl Host for MemoryHost {
    fn log(&mut self, level: Level, message: &str) {
        self.logs.push((level, message.to_owned()));
    }

    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.state.get(key).cloned()
    }

    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError> {
        if key.is_empty() || key.len() > 256 {
            return Err(StateError::InvalidKey);
        }
        let replaced = self.state.get(key).map_or(0, |old| entry_bytes(key, old));
        if self.used_bytes() - replaced + entry_bytes(key, value) > self.quota {
            return Err(StateError::QuotaExceeded(self.quota));
        }
        self.state.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn state_delete(&mut self, key: &str) {
        self.state.remove(key);
    }
}

/// What the host charges each state entry beside its key and value, as the
/// contract's `state-error.quota-exceeded` says.
pub const ENTRY_OVERHEAD_BYTES: u64 = 64;

fn entry_bytes(key: &str, value: &[u8]) -> u64 {
    (key.len() + value.len()) as u64 + ENTRY_OVERHEAD_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_replaces_and_deletes() {
        let mut host = MemoryHost::new();
        assert_eq!(host.state_get("k"), None);
        host.state_set("k", b"one").unwrap();
        host.state_set("k", b"two").unwrap();
        assert_eq!(host.state_get("k"), Some(b"two".to_vec()));
        host.state_delete("k");
        host.state_delete("k");
        assert_eq!(host.state_get("k"), None);
    }

    #[test]
    fn rejects_empty_and_long_keys() {
        let mut host = MemoryHost::new();
        assert_eq!(host.state_set("", b"v"), Err(StateError::InvalidKey));
        assert_eq!(
            host.state_set(&"k".repeat(257), b"v"),
            Err(StateError::InvalidKey)
        );
        assert_eq!(host.state_set(&"k".repeat(256), b"v"), Ok(()));
    }

    #[test]
    fn counts_keys_values_and_each_entrys_overhead_against_the_quota() {
        let mut host = MemoryHost::with_quota(2 * ENTRY_OVERHEAD_BYTES + 10);
        host.state_set("ab", b"12345678").unwrap();
        assert_eq!(
            host.state_set("c", b"1"),
            Err(StateError::QuotaExceeded(2 * ENTRY_OVERHEAD_BYTES + 10))
        );
        // Replacing a value frees the old one first.
        host.state_set("ab", b"1234").unwrap();
        host.state_set("c", b"1").unwrap();
        assert_eq!(host.used_bytes(), 2 * ENTRY_OVERHEAD_BYTES + 8);
    }

    #[test]
    fn records_log_lines_in_order() {
        let mut host = MemoryHost::new();
        host.log(Level::Warn, "first");
        host.log(Level::Debug, "second");
        host.log(Level::Warn, "third");
        assert_eq!(
            host.logged(Level::Warn).collect::<Vec<_>>(),
            ["first", "third"]
        );
        assert_eq!(host.logs.len(), 3);
    }
}
