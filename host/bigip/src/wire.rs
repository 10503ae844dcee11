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
    /// The device's `kind` string.
    pub kind: String,
    /// The object's name, without its partition.
    pub name: String,
    /// The partition (administrative folder), e.g. `Common`.
    pub partition: String,
    /// `/partition/name`.
    pub full_path: String,
    /// Bumped by the device on every change.
    pub generation: u64,
    /// e.g. `round-robin` or `ratio-member`.
    pub load_balancing_mode: String,
    /// `yes` or `no`.
    pub allow_nat: String,
    /// `yes` or `no`.
    pub allow_snat: String,
    /// The monitor rule, e.g. `/Common/http ` (devices add a trailing space); absent when none.
    #[serde(default)]
    pub monitor: Option<String>,
}

/// A pool member (`tm:ltm:pool:members:membersstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolMember {
    /// The device's `kind` string.
    pub kind: String,
    /// `<node>:<port>`, e.g. `ml-node-1:80`.
    pub name: String,
    /// The partition (administrative folder), e.g. `Common`.
    pub partition: String,
    /// `/partition/name`.
    pub full_path: String,
    /// The IP address, with `%N` when in route domain N.
    pub address: String,
    /// Most concurrent connections; 0 is no limit.
    pub connection_limit: u32,
    /// Weight under the ratio load-balancing modes.
    pub ratio: u32,
    /// Weight set by a dynamic-ratio monitor; absent on older versions.
    #[serde(default)]
    pub dynamic_ratio: Option<u32>,
    /// Priority group for priority-group activation; absent on older versions.
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
    /// The device's `kind` string.
    pub kind: String,
    /// The object's name, without its partition.
    pub name: String,
    /// `/partition/name`.
    pub full_path: String,
    /// The IP address, with `%N` when in route domain N.
    pub address: String,
    /// Most concurrent connections; 0 is no limit.
    pub connection_limit: u32,
    /// `user-enabled` or `user-disabled` (or `monitor-enabled`).
    pub session: String,
    /// `unchecked`, `up`, `down` or `user-down`.
    pub state: String,
}

/// A virtual server (`tm:ltm:virtual:virtualstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualServer {
    /// The device's `kind` string.
    pub kind: String,
    /// The object's name, without its partition.
    pub name: String,
    /// `/partition/name`.
    pub full_path: String,
    /// e.g. `/Common/127.0.1.100:80`.
    pub destination: String,
    /// e.g. `/Common/mlPool`; absent when the virtual has no default pool.
    #[serde(default)]
    pub pool: Option<String>,
    /// e.g. `tcp`; absent on some versions.
    #[serde(default)]
    pub ip_protocol: Option<String>,
}

/// One entry of a virtual's profiles sub-collection.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualProfile {
    /// The object's name, without its partition.
    pub name: String,
    /// `/partition/name`.
    pub full_path: String,
    /// `all`, `clientside` or `serverside`.
    pub context: String,
}

/// Statistics: `entries` keyed by the object's stats URL, each with `nestedStats.entries`
/// (v12.1+). Version 11.6 returned single-object stats flat; [`Stats::objects`] reads both.
#[derive(Debug, Clone, Deserialize)]
pub struct Stats {
    /// e.g. `tm:ltm:pool:members:memberscollectionstats`.
    pub kind: String,
    /// Statistics keyed by the object's stats URL (or by name, for leaves).
    #[serde(default)]
    pub entries: BTreeMap<String, StatsEntry>,
}

/// A value under `entries`: either a nested object or, in the flat 11.6 form, a leaf.
#[derive(Debug, Clone)]
pub enum StatsEntry {
    /// An object's statistics: `{"nestedStats":{…}}`.
    Nested {
        /// The object's own entries.
        nested_stats: NestedStats,
    },
    /// One statistic of the flat form.
    Leaf(StatsLeaf),
}

/// The statistics of one object.
#[derive(Debug, Clone, Deserialize)]
pub struct NestedStats {
    /// The stats `kind`, when the device gives one.
    #[serde(default)]
    pub kind: Option<String>,
    /// Statistics keyed by the object's stats URL (or by name, for leaves).
    #[serde(default)]
    pub entries: BTreeMap<String, StatsEntry>,
}

/// `{"value":N}` for counters, `{"description":"…"}` for text.
#[derive(Debug, Clone)]
pub enum StatsLeaf {
    /// A counter or gauge.
    Value {
        /// The number.
        value: serde_json::Number,
    },
    /// A text statistic, e.g. `status.availabilityState`.
    Description {
        /// The text.
        description: String,
    },
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
    /// HTTP status repeated in the body.
    pub code: u16,
    /// What the device says went wrong.
    pub message: String,
    /// mcpd's `apiError` code; absent in restjavad errors.
    #[serde(default)]
    pub api_error: Option<i64>,
    /// `:resterrorresponse` for restjavad errors; absent for mcpd's.
    #[serde(default)]
    pub kind: Option<String>,
}

/// The answer to `POST /mgmt/shared/authn/login`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResponse {
    /// The user the token was issued to.
    pub username: String,
    /// The login provider, `tmos` for local users.
    pub login_provider_name: String,
    /// The token issued.
    pub token: AuthToken,
}

/// A token object: nested in a login answer, at top level in a `PATCH …/authz/tokens/<t>` answer.
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    /// The token to send as `X-F5-Auth-Token`.
    pub token: String,
    /// The user the token belongs to.
    pub user_name: String,
    /// Lifetime in seconds.
    pub timeout: u64,
    /// When the token expires, in microseconds since the epoch.
    pub expiration_micros: u64,
    /// When the token was last changed, in microseconds since the epoch.
    pub last_update_micros: u64,
    /// The device's `kind` string.
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
    /// Seconds before an uncommitted transaction is deleted.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
    /// The device's `kind` string.
    pub kind: String,
}

/// A command queued in a transaction (`tm:transaction:commandsstate`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransactionCommand {
    /// The queued request's HTTP method.
    pub method: String,
    /// The queued request's URL.
    pub uri: String,
    /// Position at which the command runs on commit.
    pub eval_order: u32,
    /// The command's id within its transaction.
    pub command_id: u32,
    /// The device's `kind` string.
    pub kind: String,
}

/// `GET /mgmt/tm/sys/`: the organising collection whose `selfLink` carries `?ver=`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SysCollection {
    /// The device's `kind` string.
    pub kind: String,
    /// `https://localhost/mgmt/tm/sys?ver=<version>`.
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
