//! What Fulcrum observes of a managed instance group: target size, instance
//! counts by phase, each instance's status, action and last error (stockouts,
//! quota), and, given a backend service, each instance's health.

use crate::client::{BackendServiceRef, GceClient, GroupRef};
use crate::error::GceError;
use crate::links::resource_name;
use crate::wire::{ManagedInstance, ManagedInstanceList};

/// One observation of a managed instance group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupState {
    /// The resource name.
    pub name: String,
    /// The `…/instanceGroups/…` URL backend services refer to.
    pub instance_group_url: Option<String>,
    /// How many VMs the group should have.
    pub target_size: u32,
    /// VMs RUNNING and not being deleted.
    pub running: u32,
    /// Instances with action CREATING, CREATING_WITHOUT_RETRIES, RECREATING or VERIFYING.
    pub creating: u32,
    /// Instances with action DELETING or ABANDONING.
    pub deleting: u32,
    /// Google's `status.isStable`.
    pub is_stable: bool,
    /// The autoscaler targeting the group, if any.
    pub autoscaler: Option<String>,
    /// Every managed instance, as listManagedInstances reports it.
    pub instances: Vec<InstanceState>,
    /// Per-instance health, when a backend service was named.
    pub health: Option<Vec<InstanceHealth>>,
}

impl GroupState {
    /// The instances whose last attempt failed.
    pub fn failing_instances(&self) -> impl Iterator<Item = &InstanceState> {
        self.instances
            .iter()
            .filter(|instance| instance.last_error.is_some())
    }
}

/// One instance of a group.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceState {
    /// The resource name.
    pub name: String,
    /// The VM's URL.
    pub url: String,
    /// `PROVISIONING`, `STAGING`, `RUNNING`, …; `None` while the VM does not exist.
    pub status: Option<String>,
    /// `CREATING`, `VERIFYING`, `NONE`, `DELETING`, …
    pub current_action: String,
    /// The first error of the last failed attempt.
    pub last_error: Option<InstanceError>,
}

/// Why an instance's last attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceError {
    /// What sort of failure it is.
    pub kind: InstanceErrorKind,
    /// Google's code, e.g. `ZONE_RESOURCE_POOL_EXHAUSTED`, `QUOTA_EXCEEDED`.
    pub code: String,
    /// What went wrong, in Google's words.
    pub message: String,
}

/// The classes cluster-autoscaler tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceErrorKind {
    /// The zone or region has no capacity of the machine type.
    Stockout,
    /// A resource quota is exhausted.
    Quota,
    /// Any other failure.
    Other,
}

impl InstanceErrorKind {
    /// Classifies a Google error code.
    pub fn classify(code: &str) -> Self {
        if code.contains("RESOURCE_POOL_EXHAUSTED") {
            Self::Stockout
        } else if code.contains("QUOTA") {
            Self::Quota
        } else {
            Self::Other
        }
    }
}

/// The health a backend service reports for one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceHealth {
    /// The VM's URL.
    pub instance: String,
    /// The address the load balancer reaches the VM at.
    pub ip_address: Option<String>,
    /// The port the load balancer reaches the VM at.
    pub port: Option<i32>,
    /// Whether the load balancer sees the instance as healthy.
    pub healthy: bool,
}

impl InstanceState {
    fn from_wire(instance: ManagedInstance) -> Self {
        let last_error = instance
            .last_attempt
            .and_then(|attempt| attempt.errors)
            .and_then(|list| list.errors.into_iter().next())
            .map(|item| InstanceError {
                kind: InstanceErrorKind::classify(&item.code),
                code: item.code,
                message: item.message,
            });
        Self {
            name: instance
                .name
                .unwrap_or_else(|| resource_name(&instance.instance).to_owned()),
            url: instance.instance,
            status: instance.instance_status.filter(|status| !status.is_empty()),
            current_action: instance.current_action,
            last_error,
        }
    }
}

/// Turns a listManagedInstances answer into instance states.
pub fn instances_from_list(list: ManagedInstanceList) -> Vec<InstanceState> {
    list.managed_instances
        .into_iter()
        .map(InstanceState::from_wire)
        .collect()
}

/// Reads `group`, its instances and, when `service` is given, their health
/// behind it.
pub async fn read_group(
    client: &GceClient,
    group: &GroupRef,
    service: Option<&BackendServiceRef>,
) -> Result<GroupState, GceError> {
    let manager = client.get_group(group).await?;
    let instances: Vec<InstanceState> = client
        .list_managed_instances(group)
        .await?
        .into_iter()
        .map(InstanceState::from_wire)
        .collect();
    let health = match (service, &manager.instance_group) {
        (Some(service), Some(group_url)) => {
            let answer = client.get_health(service, group_url).await?;
            Some(
                answer
                    .health_status
                    .into_iter()
                    .map(|status| InstanceHealth {
                        instance: resource_name(&status.instance).to_owned(),
                        ip_address: status.ip_address,
                        port: status.port,
                        healthy: status.health_state.as_deref() == Some("HEALTHY"),
                    })
                    .collect(),
            )
        }
        _ => None,
    };
    let count = |wanted: &[&str]| {
        instances
            .iter()
            .filter(|instance| wanted.contains(&instance.current_action.as_str()))
            .count() as u32
    };
    let running = instances
        .iter()
        .filter(|instance| {
            instance.status.as_deref() == Some("RUNNING")
                && !matches!(instance.current_action.as_str(), "DELETING" | "ABANDONING")
        })
        .count() as u32;
    let status = manager.status.unwrap_or_default();
    Ok(GroupState {
        name: manager.name,
        instance_group_url: manager.instance_group,
        target_size: u32::try_from(manager.target_size).unwrap_or(0),
        running,
        creating: count(&[
            "CREATING",
            "CREATING_WITHOUT_RETRIES",
            "RECREATING",
            "VERIFYING",
        ]),
        deleting: count(&["DELETING", "ABANDONING"]),
        is_stable: status.is_stable,
        autoscaler: status.autoscaler,
        instances,
        health,
    })
}
