//! Applying Fulcrum's decisions: a group's target size, the removal of chosen
//! instances, and a backend's capacity scaler. Each change is checked against
//! the current state first, so asking again for what is already in place sends
//! nothing (a stockout never turns into a loop of resizes).

use crate::client::{BackendServiceRef, GceClient, GroupRef};
use crate::error::GceError;
use crate::links::same_resource;

/// How many times a backend patch is re-read and re-applied after 412.
pub const MAX_FINGERPRINT_CONFLICTS: u32 = 3;

/// What a size change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeChange {
    /// The group already had that target size; nothing was sent.
    Unchanged {
        /// The target size it has.
        size: u32,
    },
    /// A resize was sent and its Operation is DONE (VMs are scheduled).
    Resized {
        /// The target size before.
        from: u32,
        /// The target size now.
        to: u32,
    },
}

/// What a capacity-scaler change did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScalerChange {
    /// The backend already had that scaler; nothing was sent.
    Unchanged {
        /// The scaler it has.
        scaler: f64,
    },
    /// The backend service was patched; `conflicts` stale fingerprints were recovered.
    Patched {
        /// The scaler before.
        from: f64,
        /// The scaler now.
        to: f64,
        /// Stale fingerprints recovered on the way.
        conflicts: u32,
    },
}

/// Applies changes through a [`GceClient`].
#[derive(Debug, Clone)]
pub struct GceActuator {
    client: GceClient,
    allow_autoscaled: bool,
}

impl GceActuator {
    /// An actuator that refuses to resize groups an autoscaler manages.
    pub fn new(client: GceClient) -> Self {
        Self {
            client,
            allow_autoscaled: false,
        }
    }

    /// Lets the operator resize autoscaled groups anyway.
    pub fn allow_autoscaled(mut self, allow: bool) -> Self {
        self.allow_autoscaled = allow;
        self
    }

    /// The client changes go through.
    pub fn client(&self) -> &GceClient {
        &self.client
    }

    /// Sets `group`'s target size, unless it already is `size`.
    pub async fn set_target_size(
        &self,
        group: &GroupRef,
        size: u32,
    ) -> Result<SizeChange, GceError> {
        let current = self.client.get_group(group).await?;
        let from = u32::try_from(current.target_size).unwrap_or(0);
        if from == size {
            return Ok(SizeChange::Unchanged { size });
        }
        if let Some(autoscaler) = current.status.and_then(|status| status.autoscaler)
            && !self.allow_autoscaled
        {
            return Err(GceError::Refused {
                resource: format!(
                    "{}/instanceGroupManagers/{}",
                    group.location.path(),
                    group.name
                ),
                reason: format!(
                    "group is managed by autoscaler {autoscaler}; refusing to resize it by hand"
                ),
            });
        }
        self.client.resize(group, size).await?;
        tracing::info!(message = "resized instance group", group = %group.name, from, to = size);
        Ok(SizeChange::Resized { from, to: size })
    }

    /// Scales in by deleting the named instances of `group`.
    pub async fn remove_instances(
        &self,
        group: &GroupRef,
        instance_names: &[String],
    ) -> Result<(), GceError> {
        if instance_names.is_empty() {
            return Ok(());
        }
        self.client.delete_instances(group, instance_names).await?;
        tracing::info!(
            message = "deleted instances",
            group = %group.name,
            count = instance_names.len()
        );
        Ok(())
    }

    /// Sets the capacity scaler of `service`'s backend for `group_url`.
    ///
    /// The whole `backends` list is sent with the fingerprint just read; on 412
    /// the service is read again and the change re-applied, at most
    /// [`MAX_FINGERPRINT_CONFLICTS`] times.
    pub async fn set_capacity_scaler(
        &self,
        service: &BackendServiceRef,
        group_url: &str,
        scaler: f64,
    ) -> Result<ScalerChange, GceError> {
        let resource = format!("backendServices/{}", service.name);
        if !(scaler == 0.0 || (0.1..=1.0).contains(&scaler)) {
            return Err(GceError::Refused {
                resource,
                reason: format!("capacity scaler {scaler} is neither 0 nor within [0.1, 1]"),
            });
        }
        let mut conflicts = 0;
        loop {
            let current = self.client.get_backend_service(service).await?;
            let mut backends = current.backends.clone();
            let Some(backend) = backends
                .iter_mut()
                .find(|backend| same_resource(&backend.group, group_url))
            else {
                return Err(GceError::Refused {
                    resource,
                    reason: format!("no backend for group {group_url}"),
                });
            };
            let from = backend.capacity_scaler.unwrap_or(1.0);
            if from == scaler {
                return Ok(ScalerChange::Unchanged { scaler });
            }
            backend.capacity_scaler = Some(scaler);
            let fingerprint = current.fingerprint.unwrap_or_default();
            match self
                .client
                .patch_backends(service, &fingerprint, &backends)
                .await
            {
                Ok(_) => {
                    return Ok(ScalerChange::Patched {
                        from,
                        to: scaler,
                        conflicts,
                    });
                }
                Err(error)
                    if error.http_status() == Some(412)
                        && conflicts < MAX_FINGERPRINT_CONFLICTS =>
                {
                    conflicts += 1;
                    tracing::info!(
                        message = "backend service changed underneath; re-reading",
                        service = %service.name,
                        conflicts
                    );
                }
                Err(error) => return Err(error),
            }
        }
    }
}
