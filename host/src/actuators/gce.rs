//! Group sizes and backend capacity scalers, applied through the Compute
//! actuator: each mutation's operation is waited to `DONE`, with Google's
//! retry rules and `requestId` idempotency inside the client.

use std::sync::Arc;

use super::{ApplyError, ChangeResult};
use crate::backends::Gce;
use crate::plan::Change;

/// Apply the group changes (plan index, change); one result per change.
pub async fn apply(gce: &Gce, changes: &[(usize, &Change)]) -> Vec<(usize, ChangeResult)> {
    let actuator = fulcrum_gce::GceActuator::new(gce.client.clone());
    let mut results = Vec::with_capacity(changes.len());
    for &(index, change) in changes {
        let result = match change {
            Change::GroupSize {
                group,
                location,
                to,
                ..
            } => match group_ref(gce, group, location) {
                Some(group) => actuator
                    .set_target_size(&group, *to)
                    .await
                    .map(drop)
                    .map_err(|err| ApplyError::Gce(Arc::new(err))),
                None => Err(unmanaged(group, location)),
            },
            Change::CapacityScaler {
                backend_service,
                group,
                location,
                to,
                ..
            } => match group_ref(gce, group, location) {
                Some(group_ref) => {
                    let url = gce.client.self_link(&format!(
                        "{}/instanceGroups/{}",
                        group_ref.location.path(),
                        group_ref.name
                    ));
                    actuator
                        .set_capacity_scaler(
                            &fulcrum_gce::BackendServiceRef::global(backend_service),
                            &url,
                            f64::from(*to),
                        )
                        .await
                        .map(drop)
                        .map_err(|err| ApplyError::Gce(Arc::new(err)))
                }
                None => Err(unmanaged(group, location)),
            },
            _ => continue,
        };
        results.push((index, result));
    }
    results
}

/// The configured group named `group` in zone or region `location`.
fn group_ref(gce: &Gce, group: &str, location: &str) -> Option<fulcrum_gce::GroupRef> {
    gce.groups
        .iter()
        .map(|g| &g.group)
        .find(|g| {
            g.name == group
                && matches!(&g.location,
                    fulcrum_gce::Location::Zone(l) | fulcrum_gce::Location::Region(l) if l == location)
        })
        .cloned()
}

fn unmanaged(group: &str, location: &str) -> ApplyError {
    ApplyError::UnmanagedGroup {
        group: group.to_owned(),
        location: location.to_owned(),
    }
}
