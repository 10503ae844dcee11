//! The bodies of the reads a control loop makes every cycle — a pool's members, their
//! statistics — as typed structures serialized straight to JSON,
//! keys in the device's order. A pool of thousands of members renders without building a
//! `serde_json::Value` tree first.

use std::fmt::{self, Display};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::model::{Member, MemberHealth, Pool};
use crate::path::{FullPath, split_member_name};

/// `https://localhost{path}?ver={version}`, written out as the body is serialized.
pub(crate) struct Link<'a, P> {
    pub path: P,
    pub version: &'a str,
}

impl<P: Display> Serialize for Link<'_, P> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!(
            "https://localhost{}?ver={}",
            self.path, self.version
        ))
    }
}

/// A member's URL path below its pool: `/mgmt/tm/ltm/pool/~P~pool/members/~P~member`, with
/// `suffix` (`""` or `"/stats"`) after it.
pub(super) struct MemberPath<'a> {
    pub pool: &'a str,
    pub member: &'a FullPath,
    pub suffix: &'static str,
}

impl Display for MemberPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/members/{}{}",
            self.pool,
            self.member.tilde(),
            self.suffix
        )
    }
}

/// A collection: `kind`, `selfLink`, `items`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Collection<'a, L, T> {
    pub kind: &'static str,
    pub self_link: L,
    pub items: &'a [T],
}

/// One pool member as `GET …/members/<member>` answers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MemberBody<'a> {
    kind: &'static str,
    name: &'a str,
    partition: &'a str,
    full_path: &'a str,
    generation: u64,
    self_link: Link<'a, MemberPath<'a>>,
    address: &'a str,
    connection_limit: u32,
    dynamic_ratio: u32,
    ephemeral: &'static str,
    fqdn: Fqdn,
    inherit_profile: &'static str,
    logging: &'static str,
    monitor: &'static str,
    priority_group: u32,
    rate_limit: &'static str,
    ratio: u32,
    session: &'static str,
    state: &'static str,
}

#[derive(Serialize)]
struct Fqdn {
    autopopulate: &'static str,
}

impl<'a> MemberBody<'a> {
    /// `pool_link` is the pool's URL path, `/mgmt/tm/ltm/pool/~P~pool`.
    pub fn new(
        version: &'a str,
        pool_link: &'a str,
        pool: &Pool,
        path: &'a FullPath,
        member: &'a Member,
    ) -> MemberBody<'a> {
        let health = MemberHealth::of(pool, member);
        MemberBody {
            kind: "tm:ltm:pool:members:membersstate",
            name: path.name(),
            partition: path.partition(),
            full_path: path.as_str(),
            generation: member.generation,
            self_link: Link {
                path: MemberPath {
                    pool: pool_link,
                    member: path,
                    suffix: "",
                },
                version,
            },
            address: &member.address,
            connection_limit: member.connection_limit,
            dynamic_ratio: member.dynamic_ratio,
            ephemeral: "false",
            fqdn: Fqdn {
                autopopulate: "disabled",
            },
            inherit_profile: "enabled",
            logging: "disabled",
            monitor: "default",
            priority_group: member.priority_group,
            rate_limit: "disabled",
            ratio: member.ratio,
            session: health.session,
            state: health.state,
        }
    }
}

/// `{"description": …}`
#[derive(Serialize)]
struct Description<T> {
    description: T,
}

/// `{"value": …}`
#[derive(Serialize)]
struct Count {
    value: u64,
}

/// `monitorRule` of a member: `<rule> (pool monitor)`, or `none`.
struct MonitorRule<'a>(Option<&'a str>);

impl Serialize for MonitorRule<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(rule) => serializer.collect_str(&format_args!("{rule} (pool monitor)")),
            None => serializer.serialize_str("none"),
        }
    }
}

/// `/P/node` of a member `/P/node:port`.
struct NodeName<'a>(&'a FullPath, &'a str);

impl Serialize for NodeName<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("/{}/{}", self.0.partition(), self.1))
    }
}

/// The statistics of one member (`nestedStats.entries`), keys sorted as the device sorts them.
#[derive(Serialize)]
pub(super) struct MemberStatsEntries<'a> {
    addr: Description<&'a str>,
    #[serde(rename = "connq.depth")]
    connq_depth: Count,
    #[serde(rename = "curSessions")]
    cur_sessions: Count,
    #[serde(rename = "monitorRule")]
    monitor_rule: Description<MonitorRule<'a>>,
    #[serde(rename = "monitorStatus")]
    monitor_status: Description<&'static str>,
    #[serde(rename = "nodeName")]
    node_name: Description<NodeName<'a>>,
    #[serde(rename = "poolName")]
    pool_name: Description<&'a str>,
    port: Count,
    #[serde(rename = "serverside.bitsIn")]
    bits_in: Count,
    #[serde(rename = "serverside.bitsOut")]
    bits_out: Count,
    #[serde(rename = "serverside.curConns")]
    cur_conns: Count,
    #[serde(rename = "serverside.maxConns")]
    max_conns: Count,
    #[serde(rename = "serverside.totConns")]
    tot_conns: Count,
    #[serde(rename = "sessionStatus")]
    session_status: Description<&'static str>,
    #[serde(rename = "status.availabilityState")]
    availability_state: Description<&'static str>,
    #[serde(rename = "status.enabledState")]
    enabled_state: Description<&'static str>,
    #[serde(rename = "status.statusReason")]
    status_reason: Description<&'static str>,
    #[serde(rename = "totRequests")]
    tot_requests: Count,
}

impl<'a> MemberStatsEntries<'a> {
    pub fn new(
        pool_path: &'a FullPath,
        pool: &'a Pool,
        path: &'a FullPath,
        member: &'a Member,
    ) -> MemberStatsEntries<'a> {
        let health = MemberHealth::of(pool, member);
        let (node, port) = split_member_name(path.name()).unwrap_or((path.name(), 0));
        let connections = member.current_connections;
        MemberStatsEntries {
            addr: Description {
                description: &member.address,
            },
            connq_depth: Count { value: 0 },
            cur_sessions: Count { value: 0 },
            monitor_rule: Description {
                description: MonitorRule(pool.monitor.as_deref()),
            },
            monitor_status: Description {
                description: health.monitor_status,
            },
            node_name: Description {
                description: NodeName(path, node),
            },
            pool_name: Description {
                description: pool_path.as_str(),
            },
            port: Count {
                value: u64::from(port),
            },
            bits_in: Count { value: 0 },
            bits_out: Count { value: 0 },
            cur_conns: Count { value: connections },
            max_conns: Count { value: connections },
            tot_conns: Count { value: connections },
            session_status: Description {
                description: if member.enabled {
                    "enabled"
                } else {
                    "user-disabled"
                },
            },
            availability_state: Description {
                description: health.availability,
            },
            enabled_state: Description {
                description: if member.enabled {
                    "enabled"
                } else {
                    "disabled"
                },
            },
            status_reason: Description {
                description: health.reason,
            },
            tot_requests: Count { value: 0 },
        }
    }
}

/// `GET …/members/stats`: one `nestedStats` object per member, keyed by its stats URL.
pub(super) struct MembersStats<'a> {
    pub version: &'a str,
    pub pool_link: &'a str,
    pub pool_path: &'a FullPath,
    pub pool: &'a Pool,
}

impl Serialize for MembersStats<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_map(Some(3))?;
        body.serialize_entry("kind", "tm:ltm:pool:members:memberscollectionstats")?;
        body.serialize_entry(
            "selfLink",
            &Link {
                path: format_args!("{}/members/stats", self.pool_link),
                version: self.version,
            },
        )?;
        body.serialize_entry("entries", &MemberStatsMap(self))?;
        body.end()
    }
}

struct MemberStatsMap<'a>(&'a MembersStats<'a>);

impl Serialize for MemberStatsMap<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let MembersStats {
            version,
            pool_link,
            pool_path,
            pool,
        } = self.0;
        let mut entries = serializer.serialize_map(Some(pool.members.len()))?;
        for (path, member) in &pool.members {
            let stats_path = MemberPath {
                pool: pool_link,
                member: path,
                suffix: "/stats",
            };
            entries.serialize_key(&format_args!("https://localhost{stats_path}"))?;
            entries.serialize_value(&NestedStats {
                nested_stats: MemberStatsObject {
                    kind: "tm:ltm:pool:members:membersstats",
                    self_link: Link {
                        path: stats_path,
                        version,
                    },
                    entries: MemberStatsEntries::new(pool_path, pool, path, member),
                },
            })?;
        }
        entries.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NestedStats<T> {
    nested_stats: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MemberStatsObject<'a> {
    kind: &'static str,
    self_link: Link<'a, MemberPath<'a>>,
    entries: MemberStatsEntries<'a>,
}
