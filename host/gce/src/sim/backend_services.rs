//! Simulated backend services: `backends[]` validation, fingerprints (a stale
//! one gives 412 `conditionNotMet`, a PUT without one 400 `required`), JSON merge
//! patches, and getHealth derived from the groups' instance states.

use std::time::Instant;

use serde_json::{Map, Value, json};

use super::error::SimError;
use super::state::{SimState, new_fingerprint};

/// Fields Google owns; a write cannot change them.
const OUTPUT_ONLY: [&str; 5] = ["kind", "id", "selfLink", "creationTimestamp", "fingerprint"];

/// Checks `backends[]` as Compute does: fully-qualified groups, capacity
/// scalers of 0 or within [0.1, 1] (never 0 for a lone backend), and
/// `maxUtilization` within [0, 1].
pub fn validate_backends(object: &Map<String, Value>) -> Result<(), SimError> {
    let Some(backends) = object.get("backends") else {
        return Ok(());
    };
    let backends = backends.as_array().ok_or_else(|| {
        SimError::invalid("Invalid value for field 'resource.backends': expected a list")
    })?;
    for (index, backend) in backends.iter().enumerate() {
        let field = |name: &str| format!("resource.backends[{index}].{name}");
        let group = backend
            .get("group")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !(group.starts_with("https://") || group.starts_with("http://"))
            || !group.contains("/projects/")
        {
            return Err(SimError::invalid(format!(
                "Invalid value for field '{}': '{group}'. The URL is malformed or not fully qualified.",
                field("group")
            )));
        }
        if let Some(scaler) = backend.get("capacityScaler") {
            let scaler = scaler.as_f64().unwrap_or(-1.0);
            if !(scaler == 0.0 || (0.1..=1.0).contains(&scaler)) {
                return Err(SimError::invalid(format!(
                    "Invalid value for field '{}': '{scaler}'. Must be 0 or between 0.1 and 1.0.",
                    field("capacityScaler")
                )));
            }
            if scaler == 0.0 && backends.len() == 1 {
                return Err(SimError::invalid(format!(
                    "Invalid value for field '{}': '0'. A backend service with a single backend cannot have a capacity scaler of 0.",
                    field("capacityScaler")
                )));
            }
        }
        if let Some(utilization) = backend.get("maxUtilization") {
            let utilization = utilization.as_f64().unwrap_or(-1.0);
            if !(0.0..=1.0).contains(&utilization) {
                return Err(SimError::invalid(format!(
                    "Invalid value for field '{}': '{utilization}'. Must be between 0 and 1.",
                    field("maxUtilization")
                )));
            }
        }
    }
    Ok(())
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// How a write replaces the stored object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteKind {
    /// PATCH: a JSON merge patch; the fingerprint may be left out.
    Patch,
    /// PUT: the whole object; the fingerprint is required.
    Update,
}

impl SimState {
    /// backendServices.patch / update; returns the service's id for the Operation.
    pub fn write_backend_service(
        &mut self,
        collection: &str,
        name: &str,
        body: Value,
        kind: WriteKind,
    ) -> Result<String, SimError> {
        let mut current = self.get(collection, name)?.clone();
        if self.faults.take_stale_fingerprint() {
            current["fingerprint"] = json!(new_fingerprint());
            self.put(collection, name, current.clone());
        }
        let Value::Object(mut body) = body else {
            return Err(SimError::invalid(
                "Invalid value for field 'resource': expected an object",
            ));
        };
        match body.get("fingerprint").and_then(Value::as_str) {
            Some(sent) if Some(sent) != current["fingerprint"].as_str() => {
                self.stats.fingerprint_conflicts += 1;
                return Err(SimError::condition_not_met());
            }
            None if kind == WriteKind::Update => {
                return Err(SimError::required("resource.fingerprint"));
            }
            _ => {}
        }
        for owned in OUTPUT_ONLY {
            body.remove(owned);
        }
        let mut updated = current.clone();
        match kind {
            WriteKind::Patch => merge_patch(&mut updated, &Value::Object(body)),
            WriteKind::Update => {
                let mut replaced = body;
                for owned in OUTPUT_ONLY {
                    if let Some(value) = current.get(owned) {
                        replaced.insert(owned.to_owned(), value.clone());
                    }
                }
                updated = Value::Object(replaced);
            }
        }
        if let Value::Object(object) = &updated {
            validate_backends(object)?;
        }
        updated["fingerprint"] = json!(new_fingerprint());
        let id = updated["id"].as_str().unwrap_or_default().to_owned();
        self.put(collection, name, updated);
        self.stats.backend_service_writes += 1;
        Ok(id)
    }

    /// backendServices.getHealth for one group of the service.
    pub fn backend_health(
        &self,
        collection: &str,
        name: &str,
        body: &Value,
    ) -> Result<Value, SimError> {
        let service = self.get(collection, name)?;
        let group_link = body
            .get("group")
            .and_then(Value::as_str)
            .ok_or_else(|| SimError::required("resourceGroupReference.group"))?;
        let is_backend = service["backends"].as_array().is_some_and(|backends| {
            backends.iter().any(|backend| {
                backend["group"]
                    .as_str()
                    .is_some_and(|link| crate::links::same_resource(link, group_link))
            })
        });
        if !is_backend {
            return Err(SimError::invalid(format!(
                "Invalid value for field 'resourceGroupReference.group': '{group_link}'. Resource is not a backend of backend service '{name}'."
            )));
        }
        let mut answer = json!({"kind": "compute#backendServiceGroupHealth"});
        let Some(group) = self.group_by_instance_group(group_link) else {
            return Ok(answer);
        };
        let now = Instant::now();
        let boot = self.timing.boot_delay;
        let port = group.named_port(service["portName"].as_str());
        let statuses: Vec<Value> = group
            .instances
            .iter()
            .filter(|instance| instance.is_serving_candidate(now, boot))
            .map(|instance| {
                let state = if instance.is_healthy(now, boot) {
                    "HEALTHY"
                } else {
                    "UNHEALTHY"
                };
                json!({
                    "instance": group_instance_url(group_link, &instance.name),
                    "ipAddress": instance.ip,
                    "port": port,
                    "healthState": state,
                })
            })
            .collect();
        if !statuses.is_empty() {
            answer["healthStatus"] = json!(statuses);
        }
        Ok(answer)
    }
}

/// The instance URL for a member of the group `group_link` names.
fn group_instance_url(group_link: &str, instance: &str) -> String {
    let path = crate::links::resource_path(group_link);
    let scope = path.split("/instanceGroups/").next().unwrap_or_default();
    let scope = match scope.split_once("/regions/") {
        Some((project, region)) => format!("{project}/zones/{region}-a"),
        None => scope.to_owned(),
    };
    format!(
        "{}{scope}/instances/{instance}",
        super::state::SELF_LINK_BASE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_replaces_lists_and_removes_nulls() {
        let mut target = json!({"a": 1, "backends": [{"g": 1}, {"g": 2}], "b": {"c": 1, "d": 2}});
        merge_patch(
            &mut target,
            &json!({"backends": [{"g": 3}], "b": {"c": null}, "a": null}),
        );
        assert_eq!(target, json!({"backends": [{"g": 3}], "b": {"d": 2}}));
    }

    #[test]
    fn capacity_scalers_follow_the_documented_range() {
        let backend = |scaler: f64| json!({"group": "https://www.googleapis.com/compute/v1/projects/p/zones/z/instanceGroups/g", "capacityScaler": scaler});
        let service = |backends: Vec<Value>| {
            json!({"backends": backends})
                .as_object()
                .cloned()
                .unwrap_or_default()
        };
        assert!(validate_backends(&service(vec![backend(0.5)])).is_ok());
        assert!(validate_backends(&service(vec![backend(0.05)])).is_err());
        assert!(validate_backends(&service(vec![backend(0.0)])).is_err());
        assert!(validate_backends(&service(vec![backend(0.0), backend(1.0)])).is_ok());
        assert!(
            validate_backends(&service(vec![json!({"group": "zones/z/instanceGroups/g"})]))
                .is_err()
        );
    }
}
