//! Creating, modifying and deleting nodes, pools, virtual servers and HTTP monitors, with the
//! checks a device makes: duplicates, unknown keys, unchangeable addresses, and objects still
//! in use by another.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::fields::{
    apply_admin_fields, check_address, check_keys, name_from_body, str_field, u32_field,
};
use super::model::{Monitor, Node, Pool, Virtual};
use super::object_fields::{allowed_keys, apply_monitor_fields};
use super::{Kind, SimError, Store};
use crate::path::{FullPath, split_member_name};

impl Store {
    pub(super) fn create(&mut self, kind: Kind, body: &Value) -> Result<FullPath, SimError> {
        let path = name_from_body(body)?;
        if self.exists(kind, &path) {
            return Err(SimError::exists(kind.display(), &path));
        }
        check_keys(body, &path, allowed_keys(kind))?;
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

    pub(super) fn modify(
        &mut self,
        kind: Kind,
        path: &FullPath,
        body: &Value,
    ) -> Result<(), SimError> {
        if !self.exists(kind, path) {
            return Err(SimError::not_found(kind.display(), path.as_str()));
        }
        if body.as_object().is_none_or(Map::is_empty) {
            return Err(SimError::bad_request(
                "one or more properties must be specified",
            ));
        }
        check_keys(body, path, allowed_keys(kind))?;
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

    pub(super) fn delete(&mut self, kind: Kind, path: &FullPath) -> Result<(), SimError> {
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

    fn exists(&self, kind: Kind, path: &FullPath) -> bool {
        match kind {
            Kind::Pool => self.pools.contains_key(path),
            Kind::Node => self.nodes.contains_key(path),
            Kind::Virtual => self.virtuals.contains_key(path),
            Kind::HttpMonitor => self.monitors.contains_key(path),
        }
    }
}
