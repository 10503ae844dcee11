//! The store's tables and how values are kept in them: JSON, so a record
//! stays readable by any tool and a field added later reads back as its
//! default.

use redb::TableDefinition;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Each policy's key-value state: (policy, key) → value.
pub(super) const POLICY_STATE: TableDefinition<(&str, &str), &[u8]> =
    TableDefinition::new("policy_state");
/// Single values by name, such as the guard clocks.
pub(super) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// What was last applied to each target: `kind target` → JSON.
pub(super) const LAST_APPLIED: TableDefinition<&str, &[u8]> = TableDefinition::new("last_applied");
/// The append-only audit log: cycle → JSON record.
pub(super) const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Changes planned and not yet known to be applied: cycle → JSON intent.
pub(super) const INTENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("intents");

/// The guard clocks' key in [`META`].
pub(super) const CLOCKS_KEY: &str = "guard-clocks";

/// The MIG rollouts in progress' key in [`META`].
pub(super) const MIG_ROLLOUTS_KEY: &str = "mig-rollouts";

pub(super) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these plain records cannot fail: no maps with non-string
    // keys, no custom serializers.
    serde_json::to_vec(value).expect("store records serialize to JSON")
}

pub(super) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(bytes)
}
