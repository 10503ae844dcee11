//! Waiting for Operations: `operations/{name}/wait` in the scope the Operation
//! names (zone, region or global), looped until DONE, since `wait` may return
//! early. A DONE Operation carrying `error` is a failure.

use std::time::Instant;

use super::{Call, GceClient};
use crate::error::GceError;
use crate::wire::Operation;

/// The last path segment of a zone or region URL.
fn last_segment(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

impl GceClient {
    /// Waits until `operation` is DONE, then fails if it carries errors.
    /// `resource` names what the operation changes, for errors.
    pub async fn wait_operation(
        &self,
        resource: &str,
        mut operation: Operation,
    ) -> Result<Operation, GceError> {
        let started = Instant::now();
        let scope = match (&operation.zone, &operation.region) {
            (Some(zone), _) => format!("zones/{}", last_segment(zone)),
            (None, Some(region)) => format!("regions/{}", last_segment(region)),
            (None, None) => "global".to_owned(),
        };
        while !operation.is_done() {
            if started.elapsed() >= self.config.operation_timeout {
                return Err(GceError::OperationTimedOut {
                    resource: resource.to_owned(),
                    operation: operation.name,
                    waited_s: started.elapsed().as_secs(),
                });
            }
            let path = format!("{scope}/operations/{}/wait", operation.name);
            operation = self.send(Call::post(path, None)).await?;
        }
        match operation.error.take() {
            Some(errors) if !errors.errors.is_empty() => Err(GceError::OperationFailed {
                resource: resource.to_owned(),
                operation: operation.name,
                http_status: operation.http_error_status_code,
                errors: errors.errors,
            }),
            _ => Ok(operation),
        }
    }
}
