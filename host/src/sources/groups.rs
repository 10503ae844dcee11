//! GCE managed instance groups as a source: each managed group's target
//! size, its instances with status, current action and last error (a
//! stockout, a quota), their backend health, and the capacity scaler of the
//! group's backend — read through the Compute client and turned into
//! snapshot rows and the node identities telemetry is collected for.

use crate::backends::Gce;
use crate::config::GroupConfig;
use crate::model::{GroupSample, InstanceAction, InstanceSample, InstanceStatus, SnapshotBuilder};
use crate::sources::NodeIdentity;

/// One managed group as observed, with its configuration.
#[derive(Debug, Clone)]
pub struct ObservedGroup {
    pub config: GroupConfig,
    pub state: fulcrum_gce::GroupState,
    /// The group's backend's capacity scaler, when it is a backend.
    pub capacity_scaler: Option<f32>,
}

/// A managed group that could not be read; the source says why.
#[derive(Debug, thiserror::Error)]
#[error("gce group {group}")]
pub struct GroupError {
    /// `zones/ZONE/NAME` or `regions/REGION/NAME`.
    pub group: String,
    #[source]
    pub error: GroupReadError,
}

/// What of a group could not be read.
#[derive(Debug, thiserror::Error)]
pub enum GroupReadError {
    /// The group, its instances or their health.
    #[error(transparent)]
    Group(fulcrum_gce::GceError),
    /// The backend service it is a backend of.
    #[error("backend service {service}")]
    BackendService {
        service: String,
        #[source]
        error: fulcrum_gce::GceError,
    },
}

/// Every managed group; a group that cannot be read is an error naming it,
/// and the others are still returned.
pub async fn observe(gce: &Gce) -> (Vec<ObservedGroup>, Vec<GroupError>) {
    let mut groups = Vec::new();
    let mut errors = Vec::new();
    for config in &gce.groups {
        match observe_group(gce, config).await {
            Ok(group) => groups.push(group),
            Err(err) => errors.push(err),
        }
    }
    (groups, errors)
}

async fn observe_group(gce: &Gce, config: &GroupConfig) -> Result<ObservedGroup, GroupError> {
    let service = config
        .backend_service
        .as_deref()
        .map(fulcrum_gce::BackendServiceRef::global);
    let failed = |error| GroupError {
        group: format!("{}/{}", config.group.location.path(), config.group.name),
        error,
    };
    let state = fulcrum_gce::read_group(&gce.client, &config.group, service.as_ref())
        .await
        .map_err(|err| failed(GroupReadError::Group(err)))?;
    let capacity_scaler = match (&service, &state.instance_group_url) {
        (Some(service), Some(url)) => {
            let backend_service =
                gce.client
                    .get_backend_service(service)
                    .await
                    .map_err(|error| {
                        failed(GroupReadError::BackendService {
                            service: service.name.clone(),
                            error,
                        })
                    })?;
            backend_service
                .backends
                .iter()
                .find(|b| same_group(&b.group, url))
                .map(|b| b.capacity_scaler.unwrap_or(1.0) as f32)
        }
        _ => None,
    };
    Ok(ObservedGroup {
        config: config.clone(),
        state,
        capacity_scaler,
    })
}

/// Group URLs match on their path from `projects/` on, whatever the host.
fn same_group(a: &str, b: &str) -> bool {
    let tail = |url: &str| {
        url.find("projects/")
            .map_or(url.to_owned(), |i| url[i..].to_owned())
    };
    tail(a) == tail(b)
}

/// One node per instance, known by its name (which is its host name).
pub fn node_identities(groups: &[ObservedGroup]) -> Vec<NodeIdentity> {
    groups
        .iter()
        .flat_map(|g| {
            let health = g.state.health.as_deref().unwrap_or_default();
            g.state.instances.iter().map(move |instance| NodeIdentity {
                name: instance.name.clone(),
                address: health
                    .iter()
                    .find(|h| h.instance.ends_with(&format!("/{}", instance.name)))
                    .and_then(|h| h.ip_address.clone())
                    .unwrap_or_default(),
                hostname: Some(instance.name.clone()),
            })
        })
        .collect()
}

/// Add every group and its instances to `builder`.
pub fn add_to(builder: &mut SnapshotBuilder, groups: &[ObservedGroup]) {
    for group in groups {
        let state = &group.state;
        let health = state.health.as_deref();
        let errors: Vec<Option<String>> = state
            .instances
            .iter()
            .map(|i| {
                i.last_error
                    .as_ref()
                    .map(|e| format!("{}: {}", e.code, e.message))
            })
            .collect();
        let instances: Vec<InstanceSample<'_>> = state
            .instances
            .iter()
            .zip(&errors)
            .map(|(instance, error)| InstanceSample {
                name: &instance.name,
                status: instance_status(instance.status.as_deref()),
                action: instance_action(&instance.current_action),
                serving: health.is_some_and(|h| {
                    h.iter()
                        .any(|h| h.healthy && h.instance.ends_with(&format!("/{}", instance.name)))
                }),
                last_error: error.as_deref(),
            })
            .collect();
        let current_size = state.running + state.creating;
        builder.instance_group(
            &GroupSample {
                name: &state.name,
                location: location_name(&group.config.group.location),
                target_size: state.target_size,
                current_size,
                min_size: group.config.min_size,
                max_size: group.config.max_size,
                backend: group
                    .config
                    .backend_service
                    .as_deref()
                    .zip(group.capacity_scaler),
            },
            &instances,
        );
    }
}

fn location_name(location: &fulcrum_gce::Location) -> &str {
    match location {
        fulcrum_gce::Location::Zone(zone) => zone,
        fulcrum_gce::Location::Region(region) => region,
    }
}

fn instance_status(status: Option<&str>) -> InstanceStatus {
    match status {
        Some("PROVISIONING") => InstanceStatus::Provisioning,
        Some("STAGING") => InstanceStatus::Staging,
        Some("RUNNING") => InstanceStatus::Running,
        Some("STOPPING") => InstanceStatus::Stopping,
        Some("STOPPED") => InstanceStatus::Stopped,
        Some("SUSPENDING") => InstanceStatus::Suspending,
        Some("SUSPENDED") => InstanceStatus::Suspended,
        Some("TERMINATED") => InstanceStatus::Terminated,
        _ => InstanceStatus::Absent,
    }
}

fn instance_action(action: &str) -> InstanceAction {
    match action {
        "CREATING" => InstanceAction::Creating,
        "CREATING_WITHOUT_RETRIES" => InstanceAction::CreatingWithoutRetries,
        "RECREATING" => InstanceAction::Recreating,
        "DELETING" => InstanceAction::Deleting,
        "ABANDONING" => InstanceAction::Abandoning,
        "RESTARTING" => InstanceAction::Restarting,
        "REFRESHING" => InstanceAction::Refreshing,
        "VERIFYING" => InstanceAction::Verifying,
        _ => InstanceAction::None,
    }
}
