//! Simulated managed instance groups: insert, get, list, resize and delete.
//! The target size changes at once and the group reconciles its members to
//! it, creating VMs ([`super::vm`]) from its current template (which fail
//! while a stockout or quota fault holds) or marking victims DELETING. How a
//! group renders is in [`super::group_view`]; what an operator does to its
//! members is in [`super::members`].

use std::collections::HashSet;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::error::SimError;
use super::state::{SELF_LINK_BASE, SimState, new_fingerprint, new_id, now_timestamp};
use super::vm::{Phase, SimInstance, new_instance_name};

/// The values of `listManagedInstancesResults`.
const LISTING_MODES: [&str; 2] = ["PAGELESS", "PAGINATED"];

/// A managed instance group.
#[derive(Debug, Clone)]
pub struct SimGroup {
    /// `projects/p/zones/z` or `projects/p/regions/r`.
    pub(super) scope_path: String,
    pub(super) name: String,
    pub(super) id: String,
    pub(super) created: String,
    pub(super) fingerprint: String,
    /// What the client sent at insert, less the fields the simulator owns.
    pub(super) body: Map<String, Value>,
    pub(super) target_size: u32,
    pub instances: Vec<SimInstance>,
}

impl SimGroup {
    /// The group's numeric id, as a string.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The zone instances are created in (regional groups use `{region}-a`).
    pub fn instance_zone(&self) -> String {
        let location = self.scope_path.rsplit('/').next().unwrap_or_default();
        if self.scope_path.contains("/regions/") {
            format!("{location}-a")
        } else {
            location.to_owned()
        }
    }

    /// `projects/p`.
    pub fn project_path(&self) -> &str {
        self.scope_path
            .split("/zones/")
            .next()
            .and_then(|p| p.split("/regions/").next())
            .unwrap_or_default()
    }

    pub(super) fn instance_url(&self, instance: &SimInstance) -> String {
        format!(
            "{SELF_LINK_BASE}{}/zones/{}/instances/{}",
            self.project_path(),
            self.instance_zone(),
            instance.name
        )
    }

    /// The `…/instanceGroups/{name}` path backend services refer to.
    pub fn instance_group_path(&self) -> String {
        format!("{}/instanceGroups/{}", self.scope_path, self.name)
    }

    /// The port a backend service's `portName` maps to (80 when unnamed).
    pub fn named_port(&self, port_name: Option<&str>) -> i64 {
        self.body
            .get("namedPorts")
            .and_then(Value::as_array)
            .and_then(|ports| {
                ports
                    .iter()
                    .find(|port| port.get("name").and_then(Value::as_str) == port_name)
            })
            .and_then(|port| port.get("port").and_then(Value::as_i64))
            .unwrap_or(80)
    }

    /// The template new VMs are created from: `versions[0]`'s, else
    /// `instanceTemplate`.
    pub fn current_template(&self) -> Option<String> {
        self.body
            .get("versions")
            .and_then(|versions| versions.get(0))
            .and_then(|version| version.get("instanceTemplate"))
            .or_else(|| self.body.get("instanceTemplate"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// `projects/p/zones/z` of the zone the VMs live in.
    pub fn instance_zone_path(&self) -> String {
        format!("{}/zones/{}", self.project_path(), self.instance_zone())
    }

    pub(super) fn base_instance_name(&self) -> String {
        self.body
            .get("baseInstanceName")
            .and_then(Value::as_str)
            .unwrap_or(&self.name)
            .to_owned()
    }

    pub(super) fn live_count(&self) -> u32 {
        self.instances.iter().filter(|i| i.is_live()).count() as u32
    }

    /// Instances that failed to create start again (a lifted fault).
    pub fn retry_failed_instances(&mut self, now: Instant) {
        for instance in &mut self.instances {
            if instance.failure.take().is_some() {
                instance.boot_started = now;
            }
        }
    }

    /// Forgets instances whose deletion finished.
    pub fn prune(&mut self, now: Instant, boot: Duration) {
        self.instances
            .retain(|instance| instance.phase(now, boot) != Phase::Gone);
    }

    /// `listManagedInstancesResults` as the group was created with.
    pub(super) fn instance_listing(&self) -> &str {
        self.body
            .get("listManagedInstancesResults")
            .and_then(Value::as_str)
            .unwrap_or("PAGELESS")
    }
}

/// The key of a group: `projects/p/{zones|regions}/l/instanceGroupManagers/name`.
pub fn group_key(scope_path: &str, name: &str) -> String {
    format!("{scope_path}/instanceGroupManagers/{name}")
}

impl SimState {
    fn group(&self, scope_path: &str, name: &str) -> Result<&SimGroup, SimError> {
        let key = group_key(scope_path, name);
        self.groups
            .get(&key)
            .ok_or_else(|| SimError::not_found(&key))
    }

    /// The group `name` in `scope_path`, to change.
    pub(super) fn group_mut(
        &mut self,
        scope_path: &str,
        name: &str,
    ) -> Result<&mut SimGroup, SimError> {
        let key = group_key(scope_path, name);
        self.groups
            .get_mut(&key)
            .ok_or_else(|| SimError::not_found(&key))
    }

    /// The group an instance-group link (full or partial) names.
    pub fn group_by_instance_group(&self, link: &str) -> Option<&SimGroup> {
        let path = crate::links::resource_path(link);
        self.groups
            .values()
            .find(|group| group.instance_group_path() == path)
    }

    /// instanceGroupManagers.insert; instances start at once. `ready`
    /// instances start already RUNNING (for the seeded topology).
    pub fn insert_group(
        &mut self,
        scope_path: &str,
        body: Value,
        ready: bool,
    ) -> Result<String, SimError> {
        let Value::Object(mut body) = body else {
            return Err(SimError::invalid(
                "Invalid value for field 'resource': expected an object",
            ));
        };
        let name = body
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| SimError::required("resource.name"))?
            .to_owned();
        if !super::state::is_valid_name(&name) {
            return Err(SimError::invalid(format!(
                "Invalid value for field 'resource.name': '{name}'"
            )));
        }
        let key = group_key(scope_path, &name);
        if self.groups.contains_key(&key) {
            return Err(SimError::already_exists(&key));
        }
        let target_size = match body.get("targetSize") {
            None => 0,
            Some(size) => size
                .as_u64()
                .and_then(|size| u32::try_from(size).ok())
                .ok_or_else(|| {
                    SimError::invalid("Invalid value for field 'resource.targetSize'")
                })?,
        };
        match body.get("listManagedInstancesResults") {
            None => {}
            Some(Value::String(mode)) if LISTING_MODES.contains(&mode.as_str()) => {}
            Some(other) => {
                return Err(SimError::invalid(format!(
                    "Invalid value for field 'resource.listManagedInstancesResults': '{}'. Must be one of PAGELESS, PAGINATED.",
                    other
                        .as_str()
                        .map_or_else(|| other.to_string(), str::to_owned)
                )));
            }
        }
        for owned in [
            "kind",
            "id",
            "selfLink",
            "creationTimestamp",
            "fingerprint",
            "currentActions",
            "status",
            "instanceGroup",
            "targetSize",
            "zone",
            "region",
        ] {
            body.remove(owned);
        }
        let group = SimGroup {
            scope_path: scope_path.to_owned(),
            name,
            id: new_id(),
            created: now_timestamp(),
            fingerprint: new_fingerprint(),
            body,
            target_size,
            instances: Vec::new(),
        };
        self.groups.insert(key.clone(), group);
        self.reconcile(&key);
        if ready {
            let boot = self.timing.boot_delay;
            if let Some(group) = self.groups.get_mut(&key) {
                for instance in &mut group.instances {
                    instance.boot_started = Instant::now()
                        .checked_sub(boot)
                        .unwrap_or(instance.boot_started);
                }
            }
        }
        Ok(key)
    }

    /// Brings the live instance count to the target: creates instances (which
    /// fail while a stockout or quota fault holds) or marks victims DELETING,
    /// picking failing, then least advanced instances first.
    fn reconcile(&mut self, key: &str) {
        let now = Instant::now();
        let boot = self.timing.boot_delay;
        let Some(group) = self.groups.get(key) else {
            return;
        };
        let live = group.live_count();
        let target = group.target_size;
        let zone = group.instance_zone();
        if live < target {
            let failure = self.faults.creation_failure(&zone);
            let base = group.base_instance_name();
            let mut taken: HashSet<String> =
                group.instances.iter().map(|i| i.name.clone()).collect();
            taken.extend(self.abandoned_names(&group.instance_zone_path()));
            let template = group.current_template();
            let mut created = Vec::new();
            for _ in live..target {
                let name = new_instance_name(&base, &mut taken);
                created.push(SimInstance::new(
                    name,
                    String::new(),
                    template.clone(),
                    failure.clone(),
                ));
            }
            for instance in &mut created {
                instance.ip = self.next_node_ip();
            }
            if let Some(group) = self.groups.get_mut(key) {
                group.instances.extend(created);
            }
        } else if let Some(group) = self.groups.get_mut(key) {
            let mut victims: Vec<usize> = (0..group.instances.len())
                .filter(|&i| group.instances[i].is_live())
                .collect();
            victims.sort_by_key(|&i| {
                let instance = &group.instances[i];
                (
                    instance.phase(now, boot),
                    std::cmp::Reverse(instance.boot_started),
                )
            });
            for &i in victims.iter().take((live - target) as usize) {
                group.instances[i].deleting_since = Some(now);
            }
            group.instances.retain(|instance| {
                !(instance.deleting_since.is_some() && instance.failure.is_some())
            });
        }
    }

    /// instanceGroupManagers.get.
    pub fn render_group(&self, scope_path: &str, name: &str) -> Result<Value, SimError> {
        let autoscaler = self.autoscaler_of(scope_path, &group_key(scope_path, name));
        Ok(self
            .group(scope_path, name)?
            .render(Instant::now(), self.timing.boot_delay, autoscaler))
    }

    /// instanceGroupManagers.list.
    pub fn list_groups(&self, scope_path: &str) -> Value {
        let now = Instant::now();
        let prefix = format!("{scope_path}/instanceGroupManagers/");
        let items: Vec<Value> = self
            .groups
            .iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .map(|(key, group)| {
                group.render(
                    now,
                    self.timing.boot_delay,
                    self.autoscaler_of(scope_path, key),
                )
            })
            .collect();
        json!({
            "kind": "compute#instanceGroupManagerList",
            "id": prefix.trim_end_matches('/'),
            "items": items,
            "selfLink": format!("{SELF_LINK_BASE}{}", prefix.trim_end_matches('/')),
        })
    }

    /// Whether the group pages its listManagedInstances answers
    /// (`listManagedInstancesResults: PAGINATED`); the default, `PAGELESS`,
    /// answers with every instance and ignores `maxResults` and `pageToken`.
    pub fn paginates_instances(&self, scope_path: &str, name: &str) -> Result<bool, SimError> {
        Ok(self.group(scope_path, name)?.instance_listing() == "PAGINATED")
    }

    /// instanceGroupManagers.listManagedInstances.
    pub fn list_managed_instances(&self, scope_path: &str, name: &str) -> Result<Value, SimError> {
        Ok(self
            .group(scope_path, name)?
            .render_instances(Instant::now(), self.timing.boot_delay))
    }

    /// instanceGroupManagers.resize; returns the group's id for the Operation.
    pub fn resize_group(
        &mut self,
        scope_path: &str,
        name: &str,
        size: u32,
    ) -> Result<String, SimError> {
        self.check_resizable(scope_path, &group_key(scope_path, name))?;
        let group = self.group_mut(scope_path, name)?;
        group.target_size = size;
        group.fingerprint = new_fingerprint();
        let id = group.id.clone();
        self.stats.resizes += 1;
        self.reconcile(&group_key(scope_path, name));
        Ok(id)
    }

    /// instanceGroupManagers.delete; returns the group's id.
    pub fn delete_group(&mut self, scope_path: &str, name: &str) -> Result<String, SimError> {
        let key = group_key(scope_path, name);
        self.groups
            .remove(&key)
            .map(|group| group.id)
            .ok_or_else(|| SimError::not_found(&key))
    }
}
