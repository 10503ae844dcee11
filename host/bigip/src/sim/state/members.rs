//! Pool members: adding one (creating its node when the name is an address), replacing a
//! pool's whole list, modifying ratio, limits and admin state, and removing one.

use serde_json::{Map, Value, json};

use super::fields::{
    apply_admin_fields, check_address, check_keys, name_from_body, str_field, u32_field,
};
use super::model::Member;
use super::{Kind, SimError, Store};
use crate::path::{FullPath, split_member_name};

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

impl Store {
    /// Replaces the pool's members with `members` (names or member bodies), or leaves them
    /// as they were if any is refused.
    pub(super) fn replace_members(
        &mut self,
        pool: &FullPath,
        members: &Value,
    ) -> Result<(), SimError> {
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

    pub(super) fn create_member(
        &mut self,
        pool: &FullPath,
        body: &Value,
    ) -> Result<FullPath, SimError> {
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

    /// Member `member` of pool `pool`, or the 404 mcpd gives for either.
    pub(super) fn member_mut(
        &mut self,
        pool: &FullPath,
        member: &FullPath,
    ) -> Result<&mut Member, SimError> {
        self.pools
            .get_mut(pool)
            .ok_or_else(|| SimError::not_found("Pool", pool.as_str()))?
            .members
            .get_mut(member)
            .ok_or_else(|| member_not_found(pool, member))
    }

    pub(super) fn modify_member(
        &mut self,
        pool: &FullPath,
        member: &FullPath,
        body: &Value,
    ) -> Result<(), SimError> {
        let generation = self.next_generation();
        let found = self.member_mut(pool, member)?;
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

    pub(super) fn delete_member(
        &mut self,
        pool: &FullPath,
        member: &FullPath,
    ) -> Result<(), SimError> {
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
        Ok(())
    }
}

/// The 404 for a missing member, naming it `<pool> <node> <port>` as mcpd does.
pub(super) fn member_not_found(pool: &FullPath, member: &FullPath) -> SimError {
    let spaced = match split_member_name(member.as_str()) {
        Some((node, port)) => format!("{node} {port}"),
        None => member.to_string(),
    };
    SimError::not_found("Pool Member", &format!("{pool} {spaced}"))
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
