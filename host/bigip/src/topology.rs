//! The LTM objects Fulcrum expects on the box — pools with their monitor, NAT/SNAT settings,
//! load-balancing mode and ML nodes as members, and virtual servers — as config types, and
//! [`Topology::ensure`], which creates what is missing and reports (never overwrites) what differs.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{Client, Error};
use crate::path::FullPath;

/// Pools, nodes and virtual servers, as embedded in the host's config.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// The partition objects live in; `Common` by default.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// Pools with their members.
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
    /// Virtual servers in front of the pools.
    #[serde(default)]
    pub virtual_servers: Vec<VirtualServerSpec>,
}

fn default_partition() -> String {
    "Common".to_owned()
}

fn yes() -> bool {
    true
}

/// One pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Pool name, e.g. `mlPool`.
    pub name: String,
    /// Health monitors, e.g. `["http"]` (bare names mean `/Common/<name>`); all must pass.
    #[serde(default)]
    pub monitors: Vec<String>,
    /// `allowSnat`.
    #[serde(default = "yes")]
    pub allow_snat: bool,
    /// `allowNat`.
    #[serde(default = "yes")]
    pub allow_nat: bool,
    /// `loadBalancingMode`.
    #[serde(default)]
    pub load_balancing_mode: LoadBalancingMode,
    /// The port every member serves on.
    pub member_port: u16,
    /// The ML nodes, each a member on `member_port`.
    #[serde(default)]
    pub nodes: Vec<NodeSpec>,
}

/// One ML node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeSpec {
    /// Node name, e.g. `ml-node-1`.
    pub name: String,
    /// Its address, e.g. `127.0.1.1`.
    pub address: String,
}

/// One virtual server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VirtualServerSpec {
    /// Virtual server name, e.g. `mlVirtualServer`.
    pub name: String,
    /// Listening `address:port`, e.g. `127.0.1.100:80`.
    pub destination: String,
    /// Default pool name.
    pub pool: String,
    /// Profiles, e.g. `["http"]`.
    #[serde(default)]
    pub profiles: Vec<String>,
}

/// The 19 load-balancing modes a BIG-IP accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum LoadBalancingMode {
    DynamicRatioMember,
    DynamicRatioNode,
    FastestAppResponse,
    FastestNode,
    LeastConnectionsMember,
    LeastConnectionsNode,
    LeastSessions,
    ObservedMember,
    ObservedNode,
    PredictiveMember,
    PredictiveNode,
    RatioLeastConnectionsMember,
    RatioLeastConnectionsNode,
    RatioMember,
    RatioNode,
    RatioSession,
    #[default]
    RoundRobin,
    WeightedLeastConnectionsMember,
    WeightedLeastConnectionsNode,
}

impl LoadBalancingMode {
    /// The value as iControl REST writes it, e.g. `ratio-member`.
    pub fn as_str(self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::String(text)) => text,
            _ => unreachable!("unit variants serialise as strings"),
        }
    }
}

impl Topology {
    /// The seed setup: pool `mlPool` (http monitor, SNAT and NAT allowed) with `ml-node-1`..`3`
    /// at 127.0.1.1..3 as members on port 80, and `mlVirtualServer` with the http profile.
    pub fn seed() -> Topology {
        Topology {
            partition: default_partition(),
            pools: vec![PoolSpec {
                name: "mlPool".into(),
                monitors: vec!["http".into()],
                allow_snat: true,
                allow_nat: true,
                load_balancing_mode: LoadBalancingMode::RoundRobin,
                member_port: 80,
                nodes: (1..=3)
                    .map(|n| NodeSpec {
                        name: format!("ml-node-{n}"),
                        address: format!("127.0.1.{n}"),
                    })
                    .collect(),
            }],
            virtual_servers: vec![VirtualServerSpec {
                name: "mlVirtualServer".into(),
                destination: "127.0.1.100:80".into(),
                pool: "mlPool".into(),
                profiles: vec!["http".into()],
            }],
        }
    }

    fn path(&self, name: &str) -> FullPath {
        if name.starts_with('/') {
            FullPath::parse(name)
        } else {
            FullPath::new(&self.partition, name)
        }
    }

    /// Creates what is missing, leaves alone what matches and reports what differs. Stops at the
    /// first request that fails.
    pub async fn ensure(&self, client: &Client) -> Result<EnsureReport, Error> {
        let mut report = EnsureReport::default();
        for pool in &self.pools {
            for node in &pool.nodes {
                let path = self.path(&node.name);
                match client.node(&path).await? {
                    None => {
                        client
                            .create_node(&json!({"name": path.as_str(), "address": node.address}))
                            .await?;
                        report.push(ObjectKind::Node, &path, Outcome::Created);
                    }
                    Some(found) => report.compare(
                        ObjectKind::Node,
                        &path,
                        &[("address", &node.address, &found.address)],
                    ),
                }
            }
            let path = self.path(&pool.name);
            let monitor = monitor_rule(&pool.monitors);
            let mode = pool.load_balancing_mode.as_str();
            match client.pool(&path).await? {
                None => {
                    let mut body = json!({
                        "name": path.as_str(),
                        "loadBalancingMode": mode,
                        "allowSnat": yes_no(pool.allow_snat),
                        "allowNat": yes_no(pool.allow_nat),
                    });
                    if !monitor.is_empty() {
                        body["monitor"] = json!(monitor);
                    }
                    client.create_pool(&body).await?;
                    report.push(ObjectKind::Pool, &path, Outcome::Created);
                }
                Some(found) => {
                    let found_monitor = found
                        .monitor
                        .as_deref()
                        .map(normalise_monitor)
                        .unwrap_or_default();
                    report.compare(
                        ObjectKind::Pool,
                        &path,
                        &[
                            ("monitor", &monitor, &found_monitor),
                            ("loadBalancingMode", &mode, &found.load_balancing_mode),
                            ("allowSnat", yes_no(pool.allow_snat), &found.allow_snat),
                            ("allowNat", yes_no(pool.allow_nat), &found.allow_nat),
                        ],
                    );
                }
            }
            let members = client.pool_members(&path).await?;
            for node in &pool.nodes {
                let member_path = self.path(&format!("{}:{}", node.name, pool.member_port));
                match members
                    .iter()
                    .find(|m| FullPath::parse(&m.full_path) == member_path)
                {
                    None => {
                        client
                            .create_pool_member(
                                &path,
                                &json!({"name": member_path.as_str(), "address": node.address}),
                            )
                            .await?;
                        report.push(ObjectKind::PoolMember, &member_path, Outcome::Created);
                    }
                    Some(found) => report.compare(
                        ObjectKind::PoolMember,
                        &member_path,
                        &[("address", &node.address, &found.address)],
                    ),
                }
            }
        }
        for virtual_server in &self.virtual_servers {
            let path = self.path(&virtual_server.name);
            let destination = self.path(&virtual_server.destination);
            let pool = self.path(&virtual_server.pool);
            let profiles: Vec<FullPath> = virtual_server
                .profiles
                .iter()
                .map(|p| FullPath::parse(p))
                .collect();
            match client.virtual_server(&path).await? {
                None => {
                    let profile_bodies: Vec<Value> = profiles
                        .iter()
                        .map(|p| json!({"name": p.as_str()}))
                        .collect();
                    client
                        .create_virtual_server(&json!({
                            "name": path.as_str(),
                            "destination": destination.as_str(),
                            "ipProtocol": "tcp",
                            "pool": pool.as_str(),
                            "sourceAddressTranslation": {"type": "automap"},
                            "profiles": profile_bodies,
                        }))
                        .await?;
                    report.push(ObjectKind::VirtualServer, &path, Outcome::Created);
                }
                Some(found) => {
                    let found_pool = found.pool.unwrap_or_default();
                    let mut found_profiles: Vec<String> = client
                        .virtual_profiles(&path)
                        .await?
                        .into_iter()
                        .map(|p| p.full_path)
                        .collect();
                    found_profiles.sort();
                    let mut wanted_profiles: Vec<String> =
                        profiles.iter().map(ToString::to_string).collect();
                    wanted_profiles.sort();
                    report.compare(
                        ObjectKind::VirtualServer,
                        &path,
                        &[
                            ("destination", destination.as_str(), &found.destination),
                            ("pool", pool.as_str(), &found_pool),
                            (
                                "profiles",
                                &wanted_profiles.join(" "),
                                &found_profiles.join(" "),
                            ),
                        ],
                    );
                }
            }
        }
        Ok(report)
    }
}

/// Monitors as one rule string, e.g. `/Common/http and /Common/tcp`.
fn monitor_rule(monitors: &[String]) -> String {
    monitors
        .iter()
        .map(|m| FullPath::parse(m).to_string())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A monitor rule as read back (`"/Common/http "`) in the form [`monitor_rule`] writes it.
fn normalise_monitor(rule: &str) -> String {
    rule.split(" and ")
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .collect::<Vec<_>>()
        .join(" and ")
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The kind of an LTM object in a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ObjectKind {
    Node,
    Pool,
    PoolMember,
    VirtualServer,
}

/// What `ensure` found for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It was missing and has been created.
    Created,
    /// It exists as configured.
    Equal,
    /// It exists but these fields differ; it was left as it is.
    Differs(Vec<FieldDifference>),
}

/// A field whose value on the box is not the configured one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDifference {
    /// iControl REST field name, e.g. `loadBalancingMode`.
    pub field: &'static str,
    /// The configured value.
    pub expected: String,
    /// The value on the box.
    pub actual: String,
}

/// One line of an [`EnsureReport`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnsuredObject {
    /// Node, pool, member or virtual server.
    pub kind: ObjectKind,
    /// Its full path.
    pub path: FullPath,
    /// Created, equal or differing.
    pub outcome: Outcome,
}

/// What [`Topology::ensure`] did, object by object, in the order it visited them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnsureReport {
    /// One entry per object in the topology.
    pub objects: Vec<EnsuredObject>,
}

impl EnsureReport {
    /// The objects that were created.
    pub fn created(&self) -> impl Iterator<Item = &EnsuredObject> {
        self.objects
            .iter()
            .filter(|o| o.outcome == Outcome::Created)
    }

    /// The objects that differ from the config.
    pub fn differing(&self) -> impl Iterator<Item = &EnsuredObject> {
        self.objects
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::Differs(_)))
    }

    fn push(&mut self, kind: ObjectKind, path: &FullPath, outcome: Outcome) {
        self.objects.push(EnsuredObject {
            kind,
            path: path.clone(),
            outcome,
        });
    }

    fn compare(
        &mut self,
        kind: ObjectKind,
        path: &FullPath,
        fields: &[(&'static str, &str, &str)],
    ) {
        let differences: Vec<FieldDifference> = fields
            .iter()
            .filter(|(_, expected, actual)| expected != actual)
            .map(|(field, expected, actual)| FieldDifference {
                field,
                expected: (*expected).to_owned(),
                actual: (*actual).to_owned(),
            })
            .collect();
        let outcome = if differences.is_empty() {
            Outcome::Equal
        } else {
            Outcome::Differs(differences)
        };
        self.push(kind, path, outcome);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_config_keys_are_rejected() {
        let error = serde_json::from_value::<PoolSpec>(
            json!({"name": "p", "member_port": 80, "colour": "red"}),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("unknown field `colour`"), "{error}");
    }

    #[test]
    fn load_balancing_modes_use_the_device_spelling() {
        assert_eq!(LoadBalancingMode::RatioMember.as_str(), "ratio-member");
        assert!(
            serde_json::from_value::<LoadBalancingMode>(json!("least-connections-members"))
                .is_err()
        );
    }

    #[test]
    fn monitor_rules_read_back_with_a_trailing_space_compare_equal() {
        assert_eq!(
            normalise_monitor("/Common/http "),
            monitor_rule(&["http".into()])
        );
    }
}
