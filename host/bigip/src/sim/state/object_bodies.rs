//! The JSON a read of a node, pool, virtual server or HTTP monitor answers with — alone, in its
//! collection, or (for a virtual) its profiles — with every default field a device shows.

use serde_json::{Value, json};

use super::member_bodies::MemberBody;
use super::members::member_not_found;
use super::{Kind, SimError, Store};
use crate::path::FullPath;

impl Store {
    pub(super) fn render(&self, kind: Kind, path: &FullPath) -> Result<Value, SimError> {
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

    pub(super) fn render_collection(&self, kind: Kind) -> Value {
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
    pub(super) fn member_body<'a>(
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

    pub(super) fn render_profiles(&self, vs: &FullPath) -> Result<Value, SimError> {
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
}

/// A pool's URL path, `/mgmt/tm/ltm/pool/~P~pool`.
pub(super) fn pool_link_path(pool: &FullPath) -> String {
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
