//! The JSON bodies of iControl REST, as the client reads them. Only the fields Fulcrum uses are
//! typed; unknown fields are ignored because every TMOS version adds some.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// A collection: `{"kind":"…collectionstate","selfLink":…,"items":[…]}`. An empty collection may
/// omit `items`.
#[derive(Debug, Clone, Deserialize)]
pub struct Collection<T> {
    /// e.g. `tm:ltm:pool:poolcollectionstate`.
    pub kind: String,
    /// Objects in the collection; empty when the device left `items` out.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
}

/// An LTM pool (`tm:ltm:pool:poolstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pool {
    pub kind: String,
    pub name: String,
    pub partition: String,
    pub full_path: String,
    pub generation: u64,
    pub load_balancing_mode: String,
    pub allow_nat: String,
    pub allow_snat: String,
    /// The monitor rule, e.g. `/Common/http ` (devices add a trailing space); absent when none.
    #[serde(default)]
    pub monitor: Option<String>,
}

/// A pool member (`tm:ltm:pool:members:membersstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolMember {
    pub kind: String,
    /// `<node>:<port>`, e.g. `ml-node-1:80`.
    pub name: String,
    pub partition: String,
    pub full_path: String,
    pub address: String,
    pub connection_limit: u32,
    pub ratio: u32,
    #[serde(default)]
    pub dynamic_ratio: Option<u32>,
    #[serde(default)]
    pub priority_group: Option<u32>,
    /// `user-enabled`, `monitor-enabled` or `user-disabled`.
    pub session: String,
    /// `unchecked`, `up`, `down`, `checking` or `user-down`.
    pub state: String,
}

/// A node (`tm:ltm:node:nodestate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    pub kind: String,
    pub name: String,
    pub full_path: String,
    pub address: String,
    pub connection_limit: u32,
    pub session: String,
    pub state: String,
}

/// A virtual server (`tm:ltm:virtual:virtualstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualServer {
    pub kind: String,
    pub name: String,
    pub full_path: String,
    /// e.g. `/Common/127.0.1.100:80`.
    pub destination: String,
    /// e.g. `/Common/mlPool`; absent when the virtual has no default pool.
    #[serde(default)]
    pub pool: Option<String>,
    #[serde(default)]
    pub ip_protocol: Option<String>,
}

/// One entry of a virtual's profiles sub-collection.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualProfile {
    pub name: String,
    pub full_path: String,
    /// `all`, `clientside` or `serverside`.
    pub context: String,
}

/// Statistics: `entries` keyed by the object's stats URL, each with `nestedStats.entries`
/// (v12.1+). Version 11.6 returned single-object stats flat; [`Stats::objects`] reads both.
#[derive(Debug, Clone, Deserialize)]
pub struct Stats {
    pub kind: String,
    #[serde(default)]
    pub entries: BTreeMap<String, StatsEntry>,
}

/// A value under `entries`: either a nested object or, in the flat 11.6 form, a leaf.
#[derive(Debug, Clone)]
pub enum StatsEntry {
    Nested { nested_stats: NestedStats },
    Leaf(StatsLeaf),
}

/// The statistics of one object.
#[derive(Debug, Clone, Deserialize)]
pub struct NestedStats {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub entries: BTreeMap<String, StatsEntry>,
}

/// `{"value":N}` for counters, `{"description":"…"}` for text.
#[derive(Debug, Clone)]
pub enum StatsLeaf {
    Value { value: serde_json::Number },
    Description { description: String },
}

/// An entry is read in one pass over its keys: `nestedStats` makes it an object, else `value`
/// or `description` a leaf (in that order of preference); other keys are skipped. A pool of
/// thousands of members has tens of thousands of entries, so they are not buffered to be tried
/// one shape after another.
impl<'de> Deserialize<'de> for StatsEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EntryVisitor)
    }
}

impl<'de> Deserialize<'de> for StatsLeaf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_map(EntryVisitor)? {
            StatsEntry::Leaf(leaf) => Ok(leaf),
            StatsEntry::Nested { .. } => Err(de::Error::custom(
                "expected a statistics leaf (`value` or `description`), found `nestedStats`",
            )),
        }
    }
}

struct EntryVisitor;

/// The keys of an entry that matter, read without copying them.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum EntryKey {
    NestedStats,
    Value,
    Description,
    #[serde(other)]
    Other,
}

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = StatsEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a statistics entry: `nestedStats`, `value` or `description`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StatsEntry, A::Error> {
        let mut nested = None;
        let mut value = None;
        let mut description = None;
        while let Some(key) = map.next_key::<EntryKey>()? {
            match key {
                EntryKey::NestedStats => nested = Some(map.next_value()?),
                EntryKey::Value => value = Some(map.next_value()?),
                EntryKey::Description => description = Some(map.next_value()?),
                EntryKey::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        match (nested, value, description) {
            (Some(nested_stats), ..) => Ok(StatsEntry::Nested { nested_stats }),
            (None, Some(value), _) => Ok(StatsEntry::Leaf(StatsLeaf::Value { value })),
            (None, None, Some(description)) => {
                Ok(StatsEntry::Leaf(StatsLeaf::Description { description }))
            }
            (None, None, None) => Err(de::Error::custom(
                "a statistics entry has none of `nestedStats`, `value`, `description`",
            )),
        }
    }
}

impl Stats {
    /// Each object's leaves, keyed by the entry key (its stats URL). The flat 11.6 form yields one
    /// object under the key `""`.
    pub fn objects(&self) -> BTreeMap<&str, BTreeMap<&str, &StatsLeaf>> {
        let mut objects = BTreeMap::new();
        let mut flat = BTreeMap::new();
        for (key, entry) in &self.entries {
            match entry {
                StatsEntry::Nested { nested_stats } => {
                    let leaves = nested_stats
                        .entries
                        .iter()
                        .filter_map(|(k, v)| match v {
                            StatsEntry::Leaf(leaf) => Some((k.as_str(), leaf)),
                            StatsEntry::Nested { .. } => None,
                        })
                        .collect();
                    objects.insert(key.as_str(), leaves);
                }
                StatsEntry::Leaf(leaf) => {
                    flat.insert(key.as_str(), leaf);
                }
            }
        }
        if !flat.is_empty() {
            objects.insert("", flat);
        }
        objects
    }
}

impl StatsLeaf {
    /// The counter, when this leaf is a non-negative integer.
    pub fn value(&self) -> Option<u64> {
        match self {
            StatsLeaf::Value { value } => value.as_u64(),
            StatsLeaf::Description { .. } => None,
        }
    }

    /// The text, when this leaf is one.
    pub fn description(&self) -> Option<&str> {
        match self {
            StatsLeaf::Description { description } => Some(description),
            StatsLeaf::Value { .. } => None,
        }
    }
}

/// An error body: mcpd's `{"code","message","errorStack","apiError"}` or restjavad's
/// `{"code","message","referer","restOperationId","kind":":resterrorresponse"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: u16,
    pub message: String,
    #[serde(default)]
    pub api_error: Option<i64>,
    #[serde(default)]
    pub kind: Option<String>,
}

/// The answer to `POST /mgmt/shared/authn/login`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    pub username: String,
    pub login_provider_name: String,
    pub token: AuthToken,
}

/// A token object: nested in a login answer, at top level in a `PATCH …/authz/tokens/<t>` answer.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    pub token: String,
    pub user_name: String,
    /// Lifetime in seconds.
    pub timeout: u64,
    pub expiration_micros: u64,
    pub last_update_micros: u64,
    pub kind: String,
}

impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthToken")
            .field("token", &"<redacted>")
            .field("user_name", &self.user_name)
            .field("timeout", &self.timeout)
            .field("expiration_micros", &self.expiration_micros)
            .finish_non_exhaustive()
    }
}

/// A transaction (`tm:transactionstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    /// About 1.5e15; sent back as the decimal `X-F5-REST-Coordination-Id`.
    pub trans_id: u64,
    /// `STARTED` after create; `COMPLETED` after a successful commit.
    pub state: String,
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    pub kind: String,
}

/// A command queued in a transaction (`tm:transaction:commandsstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionCommand {
    pub method: String,
    pub uri: String,
    pub eval_order: u32,
    pub command_id: u32,
    pub kind: String,
}

/// `GET /mgmt/tm/sys/`: the organising collection whose `selfLink` carries `?ver=`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SysCollection {
    pub kind: String,
    pub self_link: String,
}

impl SysCollection {
    /// The TMOS version: the `ver` query parameter of `selfLink`.
    pub fn version(&self) -> Option<&str> {
        let (_, query) = self.self_link.split_once('?')?;
        query.split('&').find_map(|pair| pair.strip_prefix("ver="))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_read_nested_and_flat_entries() {
        let nested: Stats = serde_json::from_str(
            r#"{"kind":"tm:ltm:pool:members:memberscollectionstats","entries":{
                "https://localhost/mgmt/tm/ltm/pool/~Common~p/members/~Common~a:80/stats":{
                    "nestedStats":{"kind":"tm:ltm:pool:members:membersstats","selfLink":"x",
                        "entries":{"port":{"value":80},"nodeName":{"description":"/Common/a"}}}}}}"#,
        )
        .unwrap();
        let objects = nested.objects();
        let leaves = objects.values().next().unwrap();
        assert_eq!(leaves["port"].value(), Some(80));
        assert_eq!(leaves["nodeName"].description(), Some("/Common/a"));

        let flat: Stats = serde_json::from_str(
            r#"{"kind":"tm:ltm:pool:poolstats","generation":3,
                "entries":{"serverside.curConns":{"value":4},"tmName":{"description":"/Common/p"}}}"#,
        )
        .unwrap();
        let objects = flat.objects();
        assert_eq!(objects[""]["serverside.curConns"].value(), Some(4));
        assert_eq!(objects[""]["tmName"].description(), Some("/Common/p"));
    }

    #[test]
    fn a_stats_entry_needs_a_shape() {
        let empty = serde_json::from_str::<Stats>(r#"{"kind":"k","entries":{"a":{"other":1}}}"#);
        assert!(empty.is_err());
        let leaf = serde_json::from_str::<StatsLeaf>(r#"{"description":"up","extra":[1]}"#);
        assert_eq!(leaf.unwrap().description(), Some("up"));
        let nested = serde_json::from_str::<StatsLeaf>(r#"{"nestedStats":{"entries":{}}}"#);
        assert!(nested.is_err());
    }
}
