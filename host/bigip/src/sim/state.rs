//! The simulated box's configuration: nodes, pools with members, virtual servers and HTTP
//! monitors, how iControl REST requests read and change them, and the JSON they render to.

mod render;

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;
use serde_json::{Map, Value, json};

pub(crate) use self::render::Link;
use self::render::{Collection, MemberBody, MemberStatsEntries, MembersStats};
use crate::path::{FullPath, split_member_name};
use crate::topology::Topology;

/// What a request answers with: a JSON body, or nothing (a delete).
#[derive(Debug)]
pub(crate) enum Reply {
    Json(Vec<u8>),
    Empty,
}

impl Reply {
    fn json(body: &impl Serialize) -> Reply {
        Reply::Json(serde_json::to_vec(body).expect("rendered bodies serialize"))
    }
}

/// What a write changed, for rendering the answer.
pub(crate) enum Written {
    Object(Kind, FullPath),
    Member(FullPath, FullPath),
    Deleted,
}

/// An iControl REST error answer: status, message, `apiError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SimError {
    pub status: u16,
    pub message: String,
    pub api_error: i64,
}

impl SimError {
    pub fn not_found(what: &str, path: &str) -> SimError {
        SimError {
            status: 404,
            message: format!("01020036:3: The requested {what} ({path}) was not found."),
            api_error: 3,
        }
    }

    pub fn exists(what: &str, path: &FullPath) -> SimError {
        SimError {
            status: 409,
            message: format!(
                "01020066:3: The requested {what} ({path}) already exists in partition {}.",
                path.partition()
            ),
            api_error: 3,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> SimError {
        SimError {
            status: 400,
            message: message.into(),
            api_error: 26214401,
        }
    }

    pub fn invalid_state(value: &Value) -> SimError {
        SimError::invalid_value("state", value)
    }

    fn invalid_value(field: &str, value: &Value) -> SimError {
        SimError::bad_request(format!(
            "invalid property value \"{}\":{value}",
            tmsh_name(field)
        ))
    }
}

/// `loadBalancingMode` → `load-balancing-mode`, the spelling device errors use.
fn tmsh_name(field: &str) -> String {
    let mut out = String::new();
    for ch in field.chars() {
        if ch.is_ascii_uppercase() {
            out.push('-');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// The kinds of configuration object with a top-level collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Pool,
    Node,
    Virtual,
    HttpMonitor,
}

impl Kind {
    fn collection_path(self) -> &'static str {
        match self {
            Kind::Pool => "/mgmt/tm/ltm/pool",
            Kind::Node => "/mgmt/tm/ltm/node",
            Kind::Virtual => "/mgmt/tm/ltm/virtual",
            Kind::HttpMonitor => "/mgmt/tm/ltm/monitor/http",
        }
    }

    fn kind_prefix(self) -> &'static str {
        match self {
            Kind::Pool => "tm:ltm:pool:pool",
            Kind::Node => "tm:ltm:node:node",
            Kind::Virtual => "tm:ltm:virtual:virtual",
            Kind::HttpMonitor => "tm:ltm:monitor:http:http",
        }
    }

    fn display(self) -> &'static str {
        match self {
            Kind::Pool => "Pool",
            Kind::Node => "Node",
            Kind::Virtual => "Virtual Server",
            Kind::HttpMonitor => "Monitor",
        }
    }
}

/// What a `/mgmt/tm/ltm/...` URL addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    Collection(Kind),
    CollectionStats(Kind),
    Object(Kind, FullPath),
    ObjectStats(Kind, FullPath),
    Members(FullPath),
    MembersStats(FullPath),
    Member(FullPath, FullPath),
    MemberStats(FullPath, FullPath),
    VirtualProfiles(FullPath),
}

impl Resource {
    /// Parses the decoded segments after `/mgmt/tm/ltm/`.
    pub fn parse(segments: &[String]) -> Option<Resource> {
        let (kind, rest) = match segments {
            [first, second, rest @ ..] if first == "monitor" && second == "http" => {
                (Kind::HttpMonitor, rest)
            }
            [first, rest @ ..] => (
                match first.as_str() {
                    "pool" => Kind::Pool,
                    "node" => Kind::Node,
                    "virtual" => Kind::Virtual,
                    _ => return None,
                },
                rest,
            ),
            [] => return None,
        };
        let seg: Vec<&str> = rest.iter().map(String::as_str).collect();
        Some(match (kind, seg.as_slice()) {
            (_, []) => Resource::Collection(kind),
            (_, ["stats"]) => Resource::CollectionStats(kind),
            (_, [name]) => Resource::Object(kind, FullPath::parse(name)),
            (_, [name, "stats"]) => Resource::ObjectStats(kind, FullPath::parse(name)),
            (Kind::Pool, [pool, "members"]) => Resource::Members(FullPath::parse(pool)),
            (Kind::Pool, [pool, "members", "stats"]) => {
                Resource::MembersStats(FullPath::parse(pool))
            }
            (Kind::Pool, [pool, "members", member]) => {
                Resource::Member(FullPath::parse(pool), FullPath::parse(member))
            }
            (Kind::Pool, [pool, "members", member, "stats"]) => {
                Resource::MemberStats(FullPath::parse(pool), FullPath::parse(member))
            }
            (Kind::Virtual, [name, "profiles"]) => Resource::VirtualProfiles(FullPath::parse(name)),
            _ => return None,
        })
    }
}

#[derive(Clone, Debug)]
struct Node {
    address: String,
    connection_limit: u32,
    ratio: u32,
    enabled: bool,
    forced_down: bool,
    generation: u64,
}

#[derive(Clone, Debug)]
struct Member {
    address: String,
    ratio: u32,
    dynamic_ratio: u32,
    priority_group: u32,
    connection_limit: u32,
    enabled: bool,
    forced_down: bool,
    healthy: bool,
    current_connections: u64,
    generation: u64,
}

#[derive(Clone, Debug)]
struct Pool {
    load_balancing_mode: String,
    /// Normalised monitor rule without the trailing space, e.g. `/Common/http`.
    monitor: Option<String>,
    allow_nat: bool,
    allow_snat: bool,
    slow_ramp_time: u32,
    min_active_members: u32,
    members: BTreeMap<FullPath, Member>,
    generation: u64,
}

#[derive(Clone, Debug)]
struct Virtual {
    destination: String,
    pool: Option<FullPath>,
    ip_protocol: String,
    translation: String,
    profiles: Vec<(FullPath, String)>,
    generation: u64,
}

#[derive(Clone, Debug)]
struct Monitor {
    defaults_from: String,
    send: String,
    recv: String,
    interval: u32,
    timeout: u32,
    generation: u64,
}

/// The configuration of one simulated box.
#[derive(Clone, Debug)]
pub(crate) struct Store {
    version: String,
    generation: u64,
    nodes: BTreeMap<FullPath, Node>,
    pools: BTreeMap<FullPath, Pool>,
    virtuals: BTreeMap<FullPath, Virtual>,
    monitors: BTreeMap<FullPath, Monitor>,
}

const LOAD_BALANCING_MODES: [&str; 19] = [
    "dynamic-ratio-member",
    "dynamic-ratio-node",
    "fastest-app-response",
    "fastest-node",
    "least-connections-member",
    "least-connections-node",
    "least-sessions",
    "observed-member",
    "observed-node",
    "predictive-member",
    "predictive-node",
    "ratio-least-connections-member",
    "ratio-least-connections-node",
    "ratio-member",
    "ratio-node",
    "ratio-session",
    "round-robin",
    "weighted-least-connections-member",
    "weighted-least-connections-node",
];

/// Keys every object carries and every write may echo back.
const ENVELOPE_KEYS: [&str; 6] = [
    "kind",
    "name",
    "partition",
    "fullPath",
    "generation",
    "selfLink",
];

impl Store {
    /// A box with only the built-in `/Common/http` monitor.
    pub fn empty(version: &str) -> Store {
        let mut store = Store {
            version: version.to_owned(),
            generation: 1,
            nodes: BTreeMap::new(),
            pools: BTreeMap::new(),
            virtuals: BTreeMap::new(),
            monitors: BTreeMap::new(),
        };
        let http = Monitor {
            defaults_from: String::new(),
            send: "GET /\\r\\n".into(),
            recv: String::new(),
            interval: 5,
            timeout: 16,
            generation: 1,
        };
        store.monitors.insert(FullPath::parse("/Common/http"), http);
        store
    }

    /// A box holding `topology`, built through the same requests a client would send.
    pub fn with_topology(version: &str, topology: &Topology) -> Result<Store, SimError> {
        let mut store = Store::empty(version);
        let part = |name: &str| FullPath::new(&topology.partition, name);
        for pool in &topology.pools {
            for node in &pool.nodes {
                if store.nodes.contains_key(&part(&node.name)) {
                    continue;
                }
                let body = json!({"name": part(&node.name).as_str(), "address": node.address});
                store.write("POST", &Resource::Collection(Kind::Node), Some(&body))?;
            }
            let monitor: Vec<String> = pool
                .monitors
                .iter()
                .map(|m| FullPath::parse(m).to_string())
                .collect();
            let members: Vec<String> = pool
                .nodes
                .iter()
                .map(|node| format!("{}:{}", part(&node.name), pool.member_port))
                .collect();
            let mut body = json!({
                "name": part(&pool.name).as_str(),
                "loadBalancingMode": pool.load_balancing_mode.as_str(),
                "allowNat": if pool.allow_nat { "yes" } else { "no" },
                "allowSnat": if pool.allow_snat { "yes" } else { "no" },
                "members": members,
            });
            if !monitor.is_empty() {
                body["monitor"] = json!(monitor.join(" and "));
            }
            store.write("POST", &Resource::Collection(Kind::Pool), Some(&body))?;
        }
        for vs in &topology.virtual_servers {
            let profiles: Vec<Value> = vs
                .profiles
                .iter()
                .map(|p| json!({"name": FullPath::parse(p).as_str()}))
                .collect();
            let body = json!({
                "name": part(&vs.name).as_str(),
                "destination": part(&vs.destination).as_str(),
                "pool": part(&vs.pool).as_str(),
                "ipProtocol": "tcp",
                "sourceAddressTranslation": {"type": "automap"},
                "profiles": profiles,
            });
            store.write("POST", &Resource::Collection(Kind::Virtual), Some(&body))?;
        }
        Ok(store)
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    /// Sets a member's health and server-side connection count, as a monitor and traffic would.
    pub fn set_member_load(
        &mut self,
        pool: &FullPath,
        member: &FullPath,
        healthy: Option<bool>,
        connections: Option<u64>,
    ) -> Result<(), SimError> {
        let found = self
            .pools
            .get_mut(pool)
            .ok_or_else(|| SimError::not_found("Pool", pool.as_str()))?
            .members
            .get_mut(member)
            .ok_or_else(|| member_not_found(pool, member))?;
        if let Some(healthy) = healthy {
            found.healthy = healthy;
        }
        if let Some(connections) = connections {
            found.current_connections = connections;
        }
        Ok(())
    }

    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    fn link(&self, path: &str) -> String {
        format!("https://localhost{path}?ver={}", self.version)
    }

    /// Runs one request against the configuration and renders its answer. `method` is an HTTP
    /// method name.
    pub fn execute(
        &mut self,
        method: &str,
        resource: &Resource,
        body: Option<&Value>,
    ) -> Result<Reply, SimError> {
        if method == "GET" {
            return self.read(resource);
        }
        Ok(match self.write(method, resource, body)? {
            Written::Object(kind, path) => Reply::json(&self.render(kind, &path)?),
            Written::Member(pool, member) => {
                let pool_link = pool_link_path(&pool);
                Reply::json(&self.member_body(&pool_link, &pool, &member)?)
            }
            Written::Deleted => Reply::Empty,
        })
    }

    fn read(&self, resource: &Resource) -> Result<Reply, SimError> {
        Ok(match resource {
            Resource::Collection(kind) => Reply::json(&self.render_collection(*kind)),
            Resource::CollectionStats(kind) => Reply::json(&self.render_collection_stats(*kind)?),
            Resource::Object(kind, path) => Reply::json(&self.render(*kind, path)?),
            Resource::ObjectStats(kind, path) => {
                Reply::json(&self.render_object_stats(*kind, path)?)
            }
            Resource::Members(pool) => {
                let found = self.pool(pool)?;
                let pool_link = pool_link_path(pool);
                let items: Vec<MemberBody<'_>> = found
                    .members
                    .iter()
                    .map(|(path, member)| {
                        MemberBody::new(&self.version, &pool_link, found, path, member)
                    })
                    .collect();
                Reply::json(&Collection {
                    kind: "tm:ltm:pool:members:memberscollectionstate",
                    self_link: Link {
                        path: format_args!("{pool_link}/members"),
                        version: &self.version,
                    },
                    items: &items,
                })
            }
            Resource::MembersStats(pool) => Reply::json(&MembersStats {
                version: &self.version,
                pool_link: &pool_link_path(pool),
                pool_path: pool,
                pool: self.pool(pool)?,
            }),
            Resource::Member(pool, member) => {
                Reply::json(&self.member_body(&pool_link_path(pool), pool, member)?)
            }
            Resource::MemberStats(pool, member) => {
                let found = self.pool(pool)?;
                let entry = found
                    .members
                    .get(member)
                    .ok_or_else(|| member_not_found(pool, member))?;
                let entries =
                    serde_json::to_value(MemberStatsEntries::new(pool, found, member, entry))
                        .expect("member stats serialize");
                let link = format!("{}/members/{}/stats", pool_link_path(pool), member.tilde());
                Reply::json(&self.single_stats("tm:ltm:pool:members:membersstats", &link, entries))
            }
            Resource::VirtualProfiles(vs) => Reply::json(&self.render_profiles(vs)?),
        })
    }

    /// Applies one write (`POST`, `PUT`, `PATCH`, `DELETE`) without rendering an answer, as a
    /// transaction's commit does.
    pub fn write(
        &mut self,
        method: &str,
        resource: &Resource,
        body: Option<&Value>,
    ) -> Result<Written, SimError> {
        let empty = Value::Object(Map::new());
        let body = body.unwrap_or(&empty);
        match (method, resource) {
            ("POST", Resource::Collection(kind)) => {
                let path = self.create(*kind, body)?;
                Ok(Written::Object(*kind, path))
            }
            ("POST", Resource::Members(pool)) => {
                let member = self.create_member(pool, body)?;
                Ok(Written::Member(pool.clone(), member))
            }
            ("PUT" | "PATCH", Resource::Object(kind, path)) => {
                self.modify(*kind, path, body)?;
                Ok(Written::Object(*kind, path.clone()))
            }
            ("PUT" | "PATCH", Resource::Member(pool, member)) => {
                self.modify_member(pool, member, body)?;
                Ok(Written::Member(pool.clone(), member.clone()))
            }
            ("DELETE", Resource::Object(kind, path)) => {
                self.delete(*kind, path).map(|()| Written::Deleted)
            }
            ("DELETE", Resource::Member(pool, member)) => {
                let generation = self.next_generation();
                let found = self
                    .pools
                    .get_mut(pool)
                    .ok_or_else(|| SimError::not_found("Pool", pool.as_str()))?;
                found
                    .members
                    .remove(member)
                    .ok_or_else(|| member_not_found(pool, member))?;
                found.generation = generation;
                Ok(Written::Deleted)
            }
            _ => Err(SimError {
                status: 405,
                message: format!("Method {method} is not supported here."),
                api_error: 1,
            }),
        }
    }

    fn pool(&self, pool: &FullPath) -> Result<&Pool, SimError> {
        self.pools
            .get(pool)
            .ok_or_else(|| SimError::not_found("Pool", pool.as_str()))
    }

    fn exists(&self, kind: Kind, path: &FullPath) -> bool {
        match kind {
            Kind::Pool => self.pools.contains_key(path),
            Kind::Node => self.nodes.contains_key(path),
            Kind::Virtual => self.virtuals.contains_key(path),
            Kind::HttpMonitor => self.monitors.contains_key(path),
        }
    }

    fn create(&mut self, kind: Kind, body: &Value) -> Result<FullPath, SimError> {
        let path = name_from_body(body)?;
        if self.exists(kind, &path) {
            return Err(SimError::exists(kind.display(), &path));
        }
        check_keys(body, &path, self.allowed_keys(kind))?;
        let generation = self.next_generation();
        match kind {
            Kind::Node => {
                let address = str_field(body, "address")?.ok_or_else(|| {
                    SimError::bad_request(format!("The address of node {path} must be specified."))
                })?;
                check_address(&address)?;
                let mut node = Node {
                    address,
                    connection_limit: 0,
                    ratio: 1,
                    enabled: true,
                    forced_down: false,
                    generation,
                };
                apply_admin_fields(body, &mut node.enabled, &mut node.forced_down)?;
                if let Some(limit) = u32_field(body, "connectionLimit")? {
                    node.connection_limit = limit;
                }
                self.nodes.insert(path.clone(), node);
            }
            Kind::Pool => {
                let mut pool = Pool {
                    load_balancing_mode: "round-robin".into(),
                    monitor: None,
                    allow_nat: true,
                    allow_snat: true,
                    slow_ramp_time: 10,
                    min_active_members: 0,
                    members: BTreeMap::new(),
                    generation,
                };
                self.apply_pool_fields(&mut pool, body)?;
                self.pools.insert(path.clone(), pool);
                if let Some(members) = body.get("members") {
                    self.replace_members(&path, members)?;
                }
            }
            Kind::Virtual => {
                let mut vs = Virtual {
                    destination: String::new(),
                    pool: None,
                    ip_protocol: "tcp".into(),
                    translation: "none".into(),
                    profiles: vec![(FullPath::parse("/Common/tcp"), "all".into())],
                    generation,
                };
                if str_field(body, "destination")?.is_none() {
                    return Err(SimError::bad_request(format!(
                        "The destination of virtual server {path} must be specified."
                    )));
                }
                self.apply_virtual_fields(&mut vs, body)?;
                self.virtuals.insert(path.clone(), vs);
            }
            Kind::HttpMonitor => {
                let mut monitor = Monitor {
                    defaults_from: "/Common/http".into(),
                    send: "GET /\\r\\n".into(),
                    recv: String::new(),
                    interval: 5,
                    timeout: 16,
                    generation,
                };
                apply_monitor_fields(&mut monitor, body)?;
                self.monitors.insert(path.clone(), monitor);
            }
        }
        Ok(path)
    }

    fn modify(&mut self, kind: Kind, path: &FullPath, body: &Value) -> Result<(), SimError> {
        if !self.exists(kind, path) {
            return Err(SimError::not_found(kind.display(), path.as_str()));
        }
        if body.as_object().is_none_or(Map::is_empty) {
            return Err(SimError::bad_request(
                "one or more properties must be specified",
            ));
        }
        check_keys(body, path, self.allowed_keys(kind))?;
        let generation = self.next_generation();
        match kind {
            Kind::Node => {
                let node = self.nodes.get_mut(path).expect("checked above");
                if let Some(address) = str_field(body, "address")?.filter(|a| *a != node.address) {
                    return Err(SimError::bad_request(format!(
                        "01070603:3: Cannot modify the address of node {path} to {address}."
                    )));
                }
                apply_admin_fields(body, &mut node.enabled, &mut node.forced_down)?;
                if let Some(limit) = u32_field(body, "connectionLimit")? {
                    node.connection_limit = limit;
                }
                if let Some(ratio) = u32_field(body, "ratio")? {
                    node.ratio = ratio;
                }
                node.generation = generation;
            }
            Kind::Pool => {
                let mut pool = self.pools.get(path).expect("checked above").clone();
                self.apply_pool_fields(&mut pool, body)?;
                pool.generation = generation;
                self.pools.insert(path.clone(), pool);
                if let Some(members) = body.get("members") {
                    self.replace_members(path, members)?;
                }
            }
            Kind::Virtual => {
                let mut vs = self.virtuals.get(path).expect("checked above").clone();
                self.apply_virtual_fields(&mut vs, body)?;
                vs.generation = generation;
                self.virtuals.insert(path.clone(), vs);
            }
            Kind::HttpMonitor => {
                let monitor = self.monitors.get_mut(path).expect("checked above");
                apply_monitor_fields(monitor, body)?;
                monitor.generation = generation;
            }
        }
        Ok(())
    }

    fn delete(&mut self, kind: Kind, path: &FullPath) -> Result<(), SimError> {
        if !self.exists(kind, path) {
            return Err(SimError::not_found(kind.display(), path.as_str()));
        }
        match kind {
            Kind::Node => {
                let user = self.pools.iter().find(|(_, pool)| {
                    pool.members.keys().any(|m| {
                        split_member_name(m.as_str()).is_some_and(|(node, _)| node == path.as_str())
                    })
                });
                if let Some((pool, _)) = user {
                    return Err(SimError::bad_request(format!(
                        "01070110:3: Node address '{path}' is referenced by a member of pool '{pool}'."
                    )));
                }
                self.nodes.remove(path);
            }
            Kind::Pool => {
                if let Some((vs, _)) = self
                    .virtuals
                    .iter()
                    .find(|(_, vs)| vs.pool.as_ref() == Some(path))
                {
                    return Err(SimError::bad_request(format!(
                        "01070265:3: The Pool ({path}) cannot be deleted because it is in use by a Virtual Server ({vs})."
                    )));
                }
                self.pools.remove(path);
            }
            Kind::Virtual => {
                self.virtuals.remove(path);
            }
            Kind::HttpMonitor => {
                if let Some((pool, _)) = self.pools.iter().find(|(_, p)| {
                    p.monitor
                        .as_deref()
                        .is_some_and(|m| m.contains(path.as_str()))
                }) {
                    return Err(SimError::bad_request(format!(
                        "01070083:3: Monitor {path} is in use by pool {pool}."
                    )));
                }
                self.monitors.remove(path);
            }
        }
        self.next_generation();
        Ok(())
    }

    fn allowed_keys(&self, kind: Kind) -> &'static [&'static str] {
        match kind {
            Kind::Node => &[
                "address",
                "connectionLimit",
                "dynamicRatio",
                "ephemeral",
                "fqdn",
                "logging",
                "monitor",
                "rateLimit",
                "ratio",
                "session",
                "state",
                "description",
            ],
            Kind::Pool => &[
                "allowNat",
                "allowSnat",
                "ignorePersistedWeight",
                "ipTosToClient",
                "ipTosToServer",
                "linkQosToClient",
                "linkQosToServer",
                "loadBalancingMode",
                "minActiveMembers",
                "minUpMembers",
                "minUpMembersAction",
                "minUpMembersChecking",
                "monitor",
                "queueDepthLimit",
                "queueOnConnectionLimit",
                "queueTimeLimit",
                "reselectTries",
                "serviceDownAction",
                "slowRampTime",
                "membersReference",
                "members",
                "description",
            ],
            Kind::Virtual => &[
                "destination",
                "pool",
                "poolReference",
                "ipProtocol",
                "mask",
                "source",
                "sourceAddressTranslation",
                "translateAddress",
                "translatePort",
                "profiles",
                "profilesReference",
                "policiesReference",
                "enabled",
                "disabled",
                "description",
                "vlansDisabled",
                "sourcePort",
                "connectionLimit",
            ],
            Kind::HttpMonitor => &[
                "defaultsFrom",
                "destination",
                "interval",
                "timeout",
                "send",
                "recv",
                "recvDisable",
                "reverse",
                "transparent",
                "manualResume",
                "timeUntilUp",
                "upInterval",
                "description",
            ],
        }
    }

    fn apply_pool_fields(&self, pool: &mut Pool, body: &Value) -> Result<(), SimError> {
        if let Some(mode) = str_field(body, "loadBalancingMode")? {
            if !LOAD_BALANCING_MODES.contains(&mode.as_str()) {
                return Err(SimError::invalid_value("loadBalancingMode", &json!(mode)));
            }
            pool.load_balancing_mode = mode;
        }
        if let Some(rule) = str_field(body, "monitor")? {
            pool.monitor = self.parse_monitor_rule(&rule)?;
        }
        if let Some(flag) = yes_no_field(body, "allowNat")? {
            pool.allow_nat = flag;
        }
        if let Some(flag) = yes_no_field(body, "allowSnat")? {
            pool.allow_snat = flag;
        }
        if let Some(ramp) = u32_field(body, "slowRampTime")? {
            pool.slow_ramp_time = ramp;
        }
        if let Some(min) = u32_field(body, "minActiveMembers")? {
            pool.min_active_members = min;
        }
        Ok(())
    }

    /// Accepts `/Common/http`, `http`, `/Common/http and /Common/tcp ` and `min N of {…}`; every
    /// named monitor must exist. Stores the rule without its trailing space.
    fn parse_monitor_rule(&self, rule: &str) -> Result<Option<String>, SimError> {
        let rule = rule.trim();
        if rule.is_empty() || rule == "none" {
            return Ok(None);
        }
        let names: Vec<FullPath> = rule
            .replace(['{', '}'], " ")
            .split_whitespace()
            .filter(|word| !matches!(*word, "and" | "min" | "of") && word.parse::<u32>().is_err())
            .map(FullPath::parse)
            .collect();
        for name in &names {
            if !self.monitors.contains_key(name) {
                return Err(SimError::bad_request(format!(
                    "01020036:3: The requested monitor ({name}) was not found."
                )));
            }
        }
        if rule.starts_with("min ") {
            return Ok(Some(rule.to_owned()));
        }
        Ok(Some(
            names
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and "),
        ))
    }

    fn apply_virtual_fields(&self, vs: &mut Virtual, body: &Value) -> Result<(), SimError> {
        if let Some(destination) = str_field(body, "destination")? {
            let destination = FullPath::parse(&destination);
            if split_member_name(destination.name()).is_none() {
                return Err(SimError::invalid_value(
                    "destination",
                    &json!(destination.as_str()),
                ));
            }
            vs.destination = destination.to_string();
        }
        if let Some(pool) = str_field(body, "pool")? {
            let pool = FullPath::parse(&pool);
            if !self.pools.contains_key(&pool) {
                return Err(SimError::not_found("Pool", pool.as_str()));
            }
            vs.pool = Some(pool);
        }
        if let Some(protocol) = str_field(body, "ipProtocol")? {
            vs.ip_protocol = protocol;
        }
        if let Some(translation) = body
            .get("sourceAddressTranslation")
            .and_then(|t| t.get("type"))
            .and_then(Value::as_str)
        {
            vs.translation = translation.to_owned();
        }
        if let Some(profiles) = body.get("profiles") {
            let profiles = profiles
                .as_array()
                .ok_or_else(|| SimError::invalid_value("profiles", profiles))?;
            vs.profiles = profiles
                .iter()
                .map(|p| {
                    let name = p.as_str().or_else(|| p.get("name").and_then(Value::as_str));
                    let name = name.ok_or_else(|| SimError::invalid_value("profiles", p))?;
                    let context = p
                        .get("context")
                        .and_then(Value::as_str)
                        .unwrap_or("all")
                        .to_owned();
                    Ok((FullPath::parse(name), context))
                })
                .collect::<Result<_, SimError>>()?;
        }
        Ok(())
    }

    fn replace_members(&mut self, pool: &FullPath, members: &Value) -> Result<(), SimError> {
        let list = members
            .as_array()
            .ok_or_else(|| SimError::invalid_value("members", members))?;
        let previous = std::mem::take(&mut self.pools.get_mut(pool).expect("pool exists").members);
        for entry in list {
            let body = match entry {
                Value::String(name) => json!({ "name": name }),
                other => other.clone(),
            };
            if let Err(error) = self.create_member(pool, &body) {
                self.pools.get_mut(pool).expect("pool exists").members = previous;
                return Err(error);
            }
        }
        Ok(())
    }

    fn create_member(&mut self, pool: &FullPath, body: &Value) -> Result<FullPath, SimError> {
        if !self.pools.contains_key(pool) {
            return Err(SimError::not_found("Pool", pool.as_str()));
        }
        let path = name_from_body(body)?;
        let Some((node_name, _port)) = split_member_name(path.name()) else {
            return Err(SimError::invalid_value("name", &json!(path.name())));
        };
        let node_path = FullPath::new(path.partition(), node_name);
        if self.pools[pool].members.contains_key(&path) {
            return Err(SimError::exists("Pool Member", &path));
        }
        check_keys(body, &path, MEMBER_KEYS)?;
        let address = match self.nodes.get(&node_path) {
            Some(node) => node.address.clone(),
            None => {
                let address = match str_field(body, "address")? {
                    Some(address) => address,
                    None if check_address(node_name).is_ok() => node_name.to_owned(),
                    None => return Err(SimError::not_found("Node", node_path.as_str())),
                };
                let node_body = json!({"name": node_path.as_str(), "address": address});
                self.create(Kind::Node, &node_body)?;
                address
            }
        };
        let generation = self.next_generation();
        let mut member = Member {
            address,
            ratio: 1,
            dynamic_ratio: 1,
            priority_group: 0,
            connection_limit: 0,
            enabled: true,
            forced_down: false,
            healthy: true,
            current_connections: 0,
            generation,
        };
        apply_member_fields(&mut member, body)?;
        let found = self.pools.get_mut(pool).expect("checked above");
        found.members.insert(path.clone(), member);
        found.generation = generation;
        Ok(path)
    }

    fn modify_member(
        &mut self,
        pool: &FullPath,
        member: &FullPath,
        body: &Value,
    ) -> Result<(), SimError> {
        let generation = self.next_generation();
        let found = self
            .pools
            .get_mut(pool)
            .ok_or_else(|| SimError::not_found("Pool", pool.as_str()))?
            .members
            .get_mut(member)
            .ok_or_else(|| member_not_found(pool, member))?;
        if body.as_object().is_none_or(Map::is_empty) {
            return Err(SimError::bad_request(
                "one or more properties must be specified",
            ));
        }
        check_keys(body, member, MEMBER_KEYS)?;
        let mut changed = found.clone();
        apply_member_fields(&mut changed, body)?;
        if let Some(address) =
            str_field(body, "address")?.filter(|a| !a.is_empty() && *a != changed.address)
        {
            return Err(SimError::bad_request(format!(
                "01070603:3: Cannot modify the address of pool member {member} to {address}."
            )));
        }
        changed.generation = generation;
        *found = changed;
        Ok(())
    }

    fn render(&self, kind: Kind, path: &FullPath) -> Result<Value, SimError> {
        let not_found = || SimError::not_found(kind.display(), path.as_str());
        let link_path = format!("{}/{}", kind.collection_path(), path.tilde());
        let mut object = json!({
            "kind": format!("{}state", kind.kind_prefix()),
            "name": path.name(),
            "partition": path.partition(),
            "fullPath": path.as_str(),
            "selfLink": self.link(&link_path),
        });
        let fields = match kind {
            Kind::Node => {
                let node = self.nodes.get(path).ok_or_else(not_found)?;
                json!({
                    "generation": node.generation, "address": node.address, "connectionLimit": node.connection_limit,
                    "dynamicRatio": 1, "ephemeral": "false",
                    "fqdn": {"addressFamily": "ipv4", "autopopulate": "disabled", "downInterval": 5, "interval": "3600"},
                    "logging": "disabled", "monitor": "default", "rateLimit": "disabled", "ratio": node.ratio,
                    "session": if node.enabled { "user-enabled" } else { "user-disabled" },
                    "state": if node.forced_down { "user-down" } else { "unchecked" },
                })
            }
            Kind::Pool => {
                let pool = self.pools.get(path).ok_or_else(not_found)?;
                let mut fields = json!({
                    "generation": pool.generation,
                    "allowNat": yes_no(pool.allow_nat), "allowSnat": yes_no(pool.allow_snat),
                    "ignorePersistedWeight": "disabled", "ipTosToClient": "pass-through", "ipTosToServer": "pass-through",
                    "linkQosToClient": "pass-through", "linkQosToServer": "pass-through",
                    "loadBalancingMode": pool.load_balancing_mode, "minActiveMembers": pool.min_active_members,
                    "minUpMembers": 0, "minUpMembersAction": "failover", "minUpMembersChecking": "disabled",
                    "queueDepthLimit": 0, "queueOnConnectionLimit": "disabled", "queueTimeLimit": 0, "reselectTries": 0,
                    "serviceDownAction": "none", "slowRampTime": pool.slow_ramp_time,
                    "membersReference": {"link": self.link(&format!("{link_path}/members")), "isSubcollection": true},
                });
                if let Some(monitor) = &pool.monitor {
                    fields["monitor"] = json!(format!("{monitor} "));
                }
                fields
            }
            Kind::Virtual => {
                let vs = self.virtuals.get(path).ok_or_else(not_found)?;
                let mut fields = json!({
                    "generation": vs.generation, "addressStatus": "yes", "autoLasthop": "default", "cmpEnabled": "yes",
                    "connectionLimit": 0, "destination": vs.destination, "enabled": true, "ipProtocol": vs.ip_protocol,
                    "mask": "255.255.255.255", "source": "0.0.0.0/0",
                    "sourceAddressTranslation": {"type": vs.translation}, "sourcePort": "preserve",
                    "translateAddress": "enabled", "translatePort": "enabled", "vlansDisabled": true,
                    "policiesReference": {"link": self.link(&format!("{link_path}/policies")), "isSubcollection": true},
                    "profilesReference": {"link": self.link(&format!("{link_path}/profiles")), "isSubcollection": true},
                });
                if let Some(pool) = &vs.pool {
                    fields["pool"] = json!(pool.as_str());
                    fields["poolReference"] = json!({"link": self.link(&pool_link_path(pool))});
                }
                fields
            }
            Kind::HttpMonitor => {
                let monitor = self.monitors.get(path).ok_or_else(not_found)?;
                let mut fields = json!({
                    "generation": monitor.generation, "destination": "*:*", "interval": monitor.interval,
                    "ipDscp": 0, "manualResume": "disabled", "recv": monitor.recv, "reverse": "disabled",
                    "send": monitor.send, "timeUntilUp": 0, "timeout": monitor.timeout, "transparent": "disabled",
                    "upInterval": 0, "adaptive": "disabled",
                });
                if !monitor.defaults_from.is_empty() {
                    fields["defaultsFrom"] = json!(monitor.defaults_from);
                }
                fields
            }
        };
        merge(&mut object, fields);
        Ok(object)
    }

    fn render_collection(&self, kind: Kind) -> Value {
        let paths: Vec<&FullPath> = match kind {
            Kind::Pool => self.pools.keys().collect(),
            Kind::Node => self.nodes.keys().collect(),
            Kind::Virtual => self.virtuals.keys().collect(),
            Kind::HttpMonitor => self.monitors.keys().collect(),
        };
        let items: Vec<Value> = paths
            .into_iter()
            .filter_map(|p| self.render(kind, p).ok())
            .collect();
        json!({
            "kind": format!("{}collectionstate", kind.kind_prefix()),
            "selfLink": self.link(kind.collection_path()),
            "items": items,
        })
    }

    /// One member's body; `pool_link` is the pool's URL path.
    fn member_body<'a>(
        &'a self,
        pool_link: &'a str,
        pool: &FullPath,
        path: &'a FullPath,
    ) -> Result<MemberBody<'a>, SimError> {
        let found = self.pool(pool)?;
        let member = found
            .members
            .get(path)
            .ok_or_else(|| member_not_found(pool, path))?;
        Ok(MemberBody::new(
            &self.version,
            pool_link,
            found,
            path,
            member,
        ))
    }

    fn render_profiles(&self, vs: &FullPath) -> Result<Value, SimError> {
        let found = self
            .virtuals
            .get(vs)
            .ok_or_else(|| SimError::not_found("Virtual Server", vs.as_str()))?;
        let base = format!("/mgmt/tm/ltm/virtual/{}/profiles", vs.tilde());
        let items: Vec<Value> = found
            .profiles
            .iter()
            .map(|(profile, context)| {
                json!({
                    "kind": "tm:ltm:virtual:profiles:profilesstate",
                    "name": profile.name(), "partition": profile.partition(), "fullPath": profile.as_str(),
                    "generation": found.generation,
                    "selfLink": self.link(&format!("{base}/{}", profile.tilde())), "context": context,
                })
            })
            .collect();
        Ok(
            json!({"kind": "tm:ltm:virtual:profiles:profilescollectionstate", "selfLink": self.link(&base), "items": items}),
        )
    }

    fn object_stats_entry(&self, kind: Kind, path: &FullPath) -> Result<Value, SimError> {
        match kind {
            Kind::Pool => {
                let pool = self
                    .pools
                    .get(path)
                    .ok_or_else(|| SimError::not_found("Pool", path.as_str()))?;
                let available = pool
                    .members
                    .values()
                    .filter(|m| MemberHealth::of(pool, m).availability == "available")
                    .count();
                let connections: u64 = pool.members.values().map(|m| m.current_connections).sum();
                let availability = if available > 0 {
                    "available"
                } else if pool.monitor.is_some() {
                    "offline"
                } else {
                    "unknown"
                };
                Ok(json!({
                    "activeMemberCnt": {"value": available}, "availableMemberCnt": {"value": available},
                    "memberCnt": {"value": pool.members.len()}, "curSessions": {"value": 0},
                    "minActiveMembers": {"value": pool.min_active_members},
                    "monitorRule": {"description": pool.monitor.as_deref().unwrap_or("none")},
                    "serverside.curConns": {"value": connections}, "serverside.totConns": {"value": connections},
                    "status.availabilityState": {"description": availability},
                    "status.enabledState": {"description": "enabled"},
                    "status.statusReason": {"description": format!("The pool is {availability}")},
                    "tmName": {"description": path.as_str()}, "totRequests": {"value": 0},
                }))
            }
            Kind::Node => {
                let node = self
                    .nodes
                    .get(path)
                    .ok_or_else(|| SimError::not_found("Node", path.as_str()))?;
                let connections: u64 = self
                    .pools
                    .values()
                    .flat_map(|p| p.members.iter())
                    .filter(|(m, _)| {
                        split_member_name(m.as_str()).is_some_and(|(n, _)| n == path.as_str())
                    })
                    .map(|(_, m)| m.current_connections)
                    .sum();
                Ok(json!({
                    "addr": {"description": node.address}, "curSessions": {"value": 0},
                    "monitorStatus": {"description": if node.forced_down { "user-down" } else { "unchecked" }},
                    "serverside.curConns": {"value": connections},
                    "sessionStatus": {"description": if node.enabled { "enabled" } else { "user-disabled" }},
                    "status.availabilityState": {"description": if node.forced_down { "offline" } else { "unknown" }},
                    "status.enabledState": {"description": if node.enabled { "enabled" } else { "disabled" }},
                    "tmName": {"description": path.as_str()}, "totRequests": {"value": 0},
                }))
            }
            Kind::Virtual => {
                let vs = self
                    .virtuals
                    .get(path)
                    .ok_or_else(|| SimError::not_found("Virtual Server", path.as_str()))?;
                Ok(json!({
                    "clientside.curConns": {"value": 0}, "destination": {"description": vs.destination},
                    "cmpEnabled": {"description": "enabled"},
                    "status.availabilityState": {"description": "unknown"},
                    "status.enabledState": {"description": "enabled"},
                    "tmName": {"description": path.as_str()}, "totRequests": {"value": 0},
                }))
            }
            Kind::HttpMonitor => Err(SimError::not_found("stats for Monitor", path.as_str())),
        }
    }

    fn render_object_stats(&self, kind: Kind, path: &FullPath) -> Result<Value, SimError> {
        let entry = self.object_stats_entry(kind, path)?;
        let link = format!("{}/{}/stats", kind.collection_path(), path.tilde());
        Ok(self.single_stats(&format!("{}stats", kind.kind_prefix()), &link, entry))
    }

    /// Single-object stats keep the collection wrapper: one URL key with `nestedStats`.
    fn single_stats(&self, kind: &str, link: &str, entries: Value) -> Value {
        json!({
            "kind": kind,
            "generation": self.generation,
            "selfLink": self.link(link),
            "entries": { format!("https://localhost{link}"): {"nestedStats": {"entries": entries}} },
        })
    }

    fn render_collection_stats(&self, kind: Kind) -> Result<Value, SimError> {
        let paths: Vec<&FullPath> = match kind {
            Kind::Pool => self.pools.keys().collect(),
            Kind::Node => self.nodes.keys().collect(),
            Kind::Virtual => self.virtuals.keys().collect(),
            Kind::HttpMonitor => {
                return Err(SimError::not_found("stats for Monitor", "/Common/http"));
            }
        };
        let mut entries = Map::new();
        for path in paths {
            let link = format!("{}/{}/stats", kind.collection_path(), path.tilde());
            let nested = json!({
                "kind": format!("{}stats", kind.kind_prefix()),
                "selfLink": self.link(&link),
                "entries": self.object_stats_entry(kind, path)?,
            });
            entries.insert(
                format!("https://localhost{link}"),
                json!({ "nestedStats": nested }),
            );
        }
        Ok(json!({
            "kind": format!("{}collectionstats", kind.kind_prefix()),
            "selfLink": self.link(&format!("{}/stats", kind.collection_path())),
            "entries": entries,
        }))
    }
}

/// Keys a member body may carry besides the envelope.
const MEMBER_KEYS: &[&str] = &[
    "address",
    "connectionLimit",
    "dynamicRatio",
    "ephemeral",
    "fqdn",
    "inheritProfile",
    "logging",
    "monitor",
    "priorityGroup",
    "rateLimit",
    "ratio",
    "session",
    "state",
    "description",
];

/// How a member reads back, derived from its admin state, its pool's monitor and its health.
struct MemberHealth {
    session: &'static str,
    state: &'static str,
    availability: &'static str,
    monitor_status: &'static str,
    reason: &'static str,
}

impl MemberHealth {
    fn of(pool: &Pool, member: &Member) -> MemberHealth {
        let monitored = pool.monitor.is_some();
        let session = match (member.enabled, monitored) {
            (false, _) => "user-disabled",
            (true, true) => "monitor-enabled",
            (true, false) => "user-enabled",
        };
        let (state, availability, monitor_status, reason) =
            match (member.forced_down, monitored, member.healthy) {
                (true, _, _) => ("user-down", "offline", "user-down", "Forced down"),
                (false, true, true) => ("up", "available", "up", "Pool member is available"),
                (false, true, false) => (
                    "down",
                    "offline",
                    "down",
                    "Pool member has been marked down by a monitor",
                ),
                (false, false, _) => (
                    "unchecked",
                    "unknown",
                    "unchecked",
                    "Pool member does not have service checking enabled",
                ),
            };
        MemberHealth {
            session,
            state,
            availability,
            monitor_status,
            reason,
        }
    }
}

fn member_not_found(pool: &FullPath, member: &FullPath) -> SimError {
    let spaced = match split_member_name(member.as_str()) {
        Some((node, port)) => format!("{node} {port}"),
        None => member.to_string(),
    };
    SimError::not_found("Pool Member", &format!("{pool} {spaced}"))
}

fn pool_link_path(pool: &FullPath) -> String {
    format!("/mgmt/tm/ltm/pool/{}", pool.tilde())
}

fn merge(target: &mut Value, fields: Value) {
    if let (Value::Object(target), Value::Object(fields)) = (target, fields) {
        target.extend(fields);
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// The object's full path from `{"name":"/P/n"}` or `{"name":"n","partition":"P"}`.
fn name_from_body(body: &Value) -> Result<FullPath, SimError> {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| SimError::bad_request("The name property must be specified."))?;
    if name.starts_with('/') {
        return Ok(FullPath::parse(name));
    }
    let partition = body
        .get("partition")
        .and_then(Value::as_str)
        .unwrap_or("Common");
    Ok(FullPath::new(partition, name))
}

fn check_keys(body: &Value, path: &FullPath, allowed: &[&str]) -> Result<(), SimError> {
    let object = body
        .as_object()
        .ok_or_else(|| SimError::bad_request("The request body must be a JSON object."))?;
    for (key, value) in object {
        if !ENVELOPE_KEYS.contains(&key.as_str()) && !allowed.contains(&key.as_str()) {
            return Err(SimError::bad_request(format!(
                "Found unexpected json pair at configuration item {path}. The json pair is \"{key}\":{value}."
            )));
        }
    }
    Ok(())
}

fn check_address(address: &str) -> Result<(), SimError> {
    let without_route_domain = address.split('%').next().unwrap_or(address);
    without_route_domain
        .parse::<IpAddr>()
        .map(drop)
        .map_err(|_| SimError::invalid_value("address", &json!(address)))
}

fn str_field(body: &Value, key: &str) -> Result<Option<String>, SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(SimError::invalid_value(key, other)),
    }
}

fn u32_field(body: &Value, key: &str) -> Result<Option<u32>, SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let number = match value {
                Value::Number(n) => n.as_u64(),
                Value::String(text) => text.parse().ok(),
                _ => None,
            };
            number
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| SimError::invalid_value(key, value))
        }
    }
}

fn yes_no_field(body: &Value, key: &str) -> Result<Option<bool>, SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text == "yes" => Ok(Some(true)),
        Some(Value::String(text)) if text == "no" => Ok(Some(false)),
        Some(other) => Err(SimError::invalid_value(key, other)),
    }
}

/// `session ∈ {user-enabled, user-disabled}`, `state ∈ {user-up, user-down}`; the read-only
/// values (`monitor-enabled`, `up`, `unchecked`, …) are refused as a device refuses them.
fn apply_admin_fields(
    body: &Value,
    enabled: &mut bool,
    forced_down: &mut bool,
) -> Result<(), SimError> {
    match str_field(body, "session")?.as_deref() {
        None => {}
        Some("user-enabled") => *enabled = true,
        Some("user-disabled") => *enabled = false,
        Some(other) => return Err(SimError::invalid_value("session", &json!(other))),
    }
    match str_field(body, "state")?.as_deref() {
        None => {}
        Some("user-up") => *forced_down = false,
        Some("user-down") => *forced_down = true,
        Some(other) => return Err(SimError::invalid_value("state", &json!(other))),
    }
    Ok(())
}

fn apply_member_fields(member: &mut Member, body: &Value) -> Result<(), SimError> {
    apply_admin_fields(body, &mut member.enabled, &mut member.forced_down)?;
    if let Some(ratio) = u32_field(body, "ratio")? {
        if !(1..=65535).contains(&ratio) {
            return Err(SimError::invalid_value("ratio", &json!(ratio)));
        }
        member.ratio = ratio;
    }
    if let Some(ratio) = u32_field(body, "dynamicRatio")? {
        member.dynamic_ratio = ratio;
    }
    if let Some(group) = u32_field(body, "priorityGroup")? {
        member.priority_group = group;
    }
    if let Some(limit) = u32_field(body, "connectionLimit")? {
        member.connection_limit = limit;
    }
    if let Some(fqdn) = body.get("fqdn").filter(|f| !f.is_object()) {
        return Err(SimError::invalid_value("fqdn", fqdn));
    }
    Ok(())
}

fn apply_monitor_fields(monitor: &mut Monitor, body: &Value) -> Result<(), SimError> {
    if let Some(parent) = str_field(body, "defaultsFrom")? {
        monitor.defaults_from = FullPath::parse(&parent).to_string();
    }
    if let Some(send) = str_field(body, "send")? {
        monitor.send = send;
    }
    if let Some(recv) = str_field(body, "recv")? {
        monitor.recv = recv;
    }
    if let Some(interval) = u32_field(body, "interval")? {
        monitor.interval = interval;
    }
    if let Some(timeout) = u32_field(body, "timeout")? {
        monitor.timeout = timeout;
    }
    Ok(())
}
