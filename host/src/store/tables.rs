//! The store's tables and how values are kept in them: JSON, so a field
//! added later reads back as its default. Audit records and recorded
//! snapshots, the tables that grow with the fleet (hundreds of kilobytes a
//! cycle at a thousand nodes), are LZ4-compressed once they pass a few
//! kilobytes; records written as plain JSON still read.

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
/// What each applied cycle decided from: cycle → the snapshot and guard
/// rails, packed ([`pack`]). Kept and dropped with the cycle's audit record.
pub(super) const RECORDINGS: TableDefinition<u64, &[u8]> = TableDefinition::new("recordings");

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

/// First byte of an LZ4-compressed record; plain JSON records start with `{`.
const LZ4_TAG: u8 = 1;

/// Records shorter than this are kept as plain JSON.
const COMPRESS_FROM_BYTES: usize = 4 << 10;

/// An audit record as stored: its JSON, compressed when large.
pub(super) fn encode_audit<T: Serialize>(record: &T) -> Vec<u8> {
    pack(encode(record))
}

/// `json` as stored: compressed when large.
pub(super) fn pack(json: Vec<u8>) -> Vec<u8> {
    if json.len() < COMPRESS_FROM_BYTES {
        return json;
    }
    [
        &[LZ4_TAG],
        lz4_flex::compress_prepend_size(&json).as_slice(),
    ]
    .concat()
}

/// A record as [`pack`] stored it, or as plain JSON.
pub(super) fn unpack<T: DeserializeOwned>(stored: &[u8]) -> Result<T, serde_json::Error> {
    match stored.split_first() {
        Some((&LZ4_TAG, compressed)) => {
            let damaged = |why: String| {
                <serde_json::Error as serde::de::Error>::custom(format!(
                    "the compressed record does not decompress: {why}"
                ))
            };
            let json = lz4_flex::decompress_size_prepended(compressed)
                .map_err(|error| damaged(error.to_string()))?;
            // A cut-short block can decompress to fewer bytes than it declares.
            let declared = compressed
                .first_chunk()
                .map(|size| u32::from_le_bytes(*size) as usize);
            if declared != Some(json.len()) {
                return Err(damaged(format!(
                    "{} bytes instead of the {} declared",
                    json.len(),
                    declared.unwrap_or_default()
                )));
            }
            decode(&json)
        }
        _ => decode(stored),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn record(changes: usize) -> Value {
        let applied: Vec<Value> = (0..changes)
            .map(|i| json!({"change": {"pool": "mlPool", "member": format!("ml-node-{i}:80"), "to": i}, "error": null}))
            .collect();
        json!({"cycle": 7, "at_ms": 1_700_000_000_000u64, "applied": applied})
    }

    #[test]
    fn small_records_stay_plain_json() {
        let small = record(2);
        let stored = encode_audit(&small);
        assert_eq!(stored, encode(&small));
        assert_eq!(unpack::<Value>(&stored).unwrap(), small);
    }

    #[test]
    fn large_records_are_compressed_and_read_back_whole() {
        let large = record(1_000);
        let json = encode(&large);
        let stored = encode_audit(&large);
        assert_eq!(stored[0], LZ4_TAG);
        assert!(
            stored.len() * 4 < json.len(),
            "{} bytes stored for {} of JSON",
            stored.len(),
            json.len()
        );
        assert_eq!(unpack::<Value>(&stored).unwrap(), large);
        // Records written before compression still read.
        assert_eq!(unpack::<Value>(&json).unwrap(), large);
    }

    #[test]
    fn a_damaged_compressed_record_is_an_error_not_a_panic() {
        let mut stored = encode_audit(&record(1_000));
        stored.truncate(stored.len() / 2);
        let error = unpack::<Value>(&stored).unwrap_err();
        assert!(error.to_string().contains("does not decompress"), "{error}");
        let garbage = [LZ4_TAG, 0xff, 0xff, 0xff, 0x7f, 1, 2, 3];
        assert!(unpack::<Value>(&garbage).is_err());
    }
}
