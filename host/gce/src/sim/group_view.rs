//! How a simulated managed instance group looks on the wire: the
//! `compute#instanceGroupManager` with `currentActions`, `status.isStable`
//! and `versionTarget` derived from its members, and the members as
//! listManagedInstances reports them (action, status, version, last errors).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::groups::SimGroup;
use super::state::SELF_LINK_BASE;
use super::vm::Phase;

impl SimGroup {
    /// The group as instanceGroupManagers.get shows it at `now`.
    pub fn render(&self, now: Instant, boot: Duration, autoscaler: Option<String>) -> Value {
        let mut actions = json!({
            "abandoning": 0, "creating": 0, "creatingWithoutRetries": 0, "deleting": 0,
            "none": 0, "recreating": 0, "refreshing": 0, "restarting": 0, "resuming": 0,
            "starting": 0, "stopping": 0, "suspending": 0, "verifying": 0,
        });
        let mut stable = self.live_count() == self.target_size;
        let template = self.current_template();
        let mut version_reached = true;
        for instance in &self.instances {
            let phase = instance.phase(now, boot);
            if phase < Phase::Deleting {
                version_reached &= instance.template == template;
            }
            let key = match phase {
                Phase::Failing | Phase::Provisioning | Phase::Staging if instance.recreating => {
                    "recreating"
                }
                Phase::Failing | Phase::Provisioning | Phase::Staging => "creating",
                Phase::Verifying => "verifying",
                Phase::Running => "none",
                Phase::Deleting | Phase::Gone => "deleting",
            };
            stable &= key == "none";
            actions[key] = json!(actions[key].as_i64().unwrap_or(0) + 1);
        }
        let mut body = self.body.clone();
        let self_link = format!(
            "{SELF_LINK_BASE}{}/instanceGroupManagers/{}",
            self.scope_path, self.name
        );
        let location_key = if self.scope_path.contains("/regions/") {
            "region"
        } else {
            "zone"
        };
        let fields = json!({
            "kind": "compute#instanceGroupManager",
            "id": self.id,
            "name": self.name,
            "creationTimestamp": self.created,
            location_key: format!("{SELF_LINK_BASE}{}", self.scope_path),
            "selfLink": self_link,
            "instanceGroup": format!("{SELF_LINK_BASE}{}", self.instance_group_path()),
            "baseInstanceName": self.base_instance_name(),
            "targetSize": self.target_size,
            "fingerprint": self.fingerprint,
            "currentActions": actions,
            "status": {"isStable": stable, "versionTarget": {"isReached": version_reached}, "allInstancesConfig": {"effective": true}, "stateful": {"hasStatefulConfig": false, "perInstanceConfigs": {"allEffective": true}}},
            "listManagedInstancesResults": self.instance_listing(),
        });
        if let Value::Object(fields) = fields {
            body.extend(fields);
        }
        if let (Some(autoscaler), Some(status)) = (autoscaler, body.get_mut("status")) {
            status["autoscaler"] = json!(autoscaler);
        }
        Value::Object(body)
    }

    /// The group's members as listManagedInstances shows them at `now`.
    pub fn render_instances(&self, now: Instant, boot: Duration) -> Value {
        let items: Vec<Value> = self
            .instances
            .iter()
            .map(|instance| {
                let phase = instance.phase(now, boot);
                let (mut action, status) = match phase {
                    Phase::Failing => ("CREATING", None),
                    Phase::Provisioning => ("CREATING", Some("PROVISIONING")),
                    Phase::Staging => ("CREATING", Some("STAGING")),
                    Phase::Verifying => ("VERIFYING", Some("RUNNING")),
                    Phase::Running => ("NONE", Some("RUNNING")),
                    Phase::Deleting | Phase::Gone => ("DELETING", Some("STOPPING")),
                };
                if instance.recreating && action == "CREATING" {
                    action = "RECREATING";
                }
                let mut item = json!({
                    "instance": self.instance_url(instance),
                    "name": instance.name,
                    "currentAction": action,
                    "targetStatus": if phase >= Phase::Deleting { "DELETED" } else { "RUNNING" },
                });
                if let Some(status) = status {
                    item["instanceStatus"] = json!(status);
                    item["id"] = json!(instance.id);
                }
                if let (Some(template), true) = (&instance.template, phase < Phase::Deleting) {
                    item["version"] = json!({"instanceTemplate": template});
                }
                if let Some(failure) = &instance.failure {
                    item["lastAttempt"] = json!({"errors": {"errors": [failure]}});
                }
                item
            })
            .collect();
        json!({"managedInstances": items})
    }
}
