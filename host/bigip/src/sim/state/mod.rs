//! The simulated box's LTM configuration ([`Store`]) — nodes, pools with members, virtual
//! servers and HTTP monitors — and how one iControl REST request reads or changes it.
//!
//! The store is plain data: cloning it is how a transaction tries its commands on a copy.

mod error;
mod fields;
mod member_bodies;
mod members;
mod model;
mod object_bodies;
mod object_fields;
mod objects;
mod resource;
mod stats;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value, json};

pub(crate) use self::error::SimError;
pub(crate) use self::member_bodies::Link;
use self::member_bodies::{Collection, MemberBody, MemberStatsEntries, MembersStats};
use self::members::member_not_found;
use self::model::{Monitor, Node, Pool, Virtual};
use self::object_bodies::pool_link_path;
pub(crate) use self::resource::{Kind, Resource};
use crate::path::FullPath;
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
        let found = self.member_mut(pool, member)?;
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

    fn pool(&self, pool: &FullPath) -> Result<&Pool, SimError> {
        self.pools
            .get(pool)
            .ok_or_else(|| SimError::not_found("Pool", pool.as_str()))
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
                self.delete_member(pool, member).map(|()| Written::Deleted)
            }
            _ => Err(SimError {
                status: 405,
                message: format!("Method {method} is not supported here."),
                api_error: 1,
            }),
        }
    }
}
