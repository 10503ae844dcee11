//! `/stats` reads of pools, nodes and virtual servers, derived from the model (availability
//! from member health, connections summed over members), in the `entries → nestedStats →
//! entries` shape.

use serde_json::{Map, Value, json};

use super::model::MemberHealth;
use super::{Kind, SimError, Store};
use crate::path::{FullPath, split_member_name};

impl Store {
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

    pub(super) fn render_object_stats(
        &self,
        kind: Kind,
        path: &FullPath,
    ) -> Result<Value, SimError> {
        let entry = self.object_stats_entry(kind, path)?;
        let link = format!("{}/{}/stats", kind.collection_path(), path.tilde());
        Ok(self.single_stats(&format!("{}stats", kind.kind_prefix()), &link, entry))
    }

    /// Single-object stats keep the collection wrapper: one URL key with `nestedStats`.
    pub(super) fn single_stats(&self, kind: &str, link: &str, entries: Value) -> Value {
        json!({
            "kind": kind,
            "generation": self.generation,
            "selfLink": self.link(link),
            "entries": { format!("https://localhost{link}"): {"nestedStats": {"entries": entries}} },
        })
    }

    pub(super) fn render_collection_stats(&self, kind: Kind) -> Result<Value, SimError> {
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
