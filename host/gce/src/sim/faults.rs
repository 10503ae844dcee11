//! Faults the simulator injects on request: API rate limits (403
//! `rateLimitExceeded`, 429), server errors (503), operations that end with an
//! error, fingerprints made stale by a pretend concurrent writer, and GPU
//! stockouts or quota exhaustion that leave new instances failing to create.

use serde::{Deserialize, Serialize};

use super::error::SimError;
use crate::wire::ErrorItem;

/// The faults in force; counts are "the next N", flags last until cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// The next N Compute requests get 403 `rateLimitExceeded`.
    pub rate_limited: u32,
    /// The next N Compute requests get 429 `rateLimitExceeded`.
    pub too_many_requests: u32,
    /// The next N Compute requests get 503 `backendError`.
    pub server_errors: u32,
    /// The next N mutations return an Operation that ends DONE with `QUOTA_EXCEEDED`.
    pub failed_operations: u32,
    /// The next N backend-service writes find the fingerprint changed underneath.
    pub stale_fingerprints: u32,
    /// New instances fail to create with `ZONE_RESOURCE_POOL_EXHAUSTED`.
    pub stockout: bool,
    /// New instances fail to create with `QUOTA_EXCEEDED`.
    pub quota_exhausted: bool,
}

/// Takes one from a "next N" counter.
fn take(counter: &mut u32) -> bool {
    if *counter == 0 {
        return false;
    }
    *counter -= 1;
    true
}

impl Faults {
    /// The error the next Compute request gets, if any.
    pub fn take_request_fault(&mut self) -> Option<SimError> {
        if take(&mut self.rate_limited) {
            return Some(SimError::rate_limited(403));
        }
        if take(&mut self.too_many_requests) {
            return Some(SimError::rate_limited(429));
        }
        if take(&mut self.server_errors) {
            return Some(SimError::new(
                503,
                "global",
                "backendError",
                "The service is currently unavailable.",
            ));
        }
        None
    }

    /// The errors the next mutation's Operation ends with, if it is to fail.
    pub fn take_failed_operation(&mut self) -> Option<ErrorItem> {
        take(&mut self.failed_operations).then(|| ErrorItem {
            code: "QUOTA_EXCEEDED".to_owned(),
            message: "Quota 'GPUS_ALL_REGIONS' exceeded. Limit: 0.0 globally.".to_owned(),
            location: None,
        })
    }

    /// Whether the next backend-service write finds its fingerprint stale.
    pub fn take_stale_fingerprint(&mut self) -> bool {
        take(&mut self.stale_fingerprints)
    }

    /// The error a new instance's creation fails with, while a stockout or
    /// quota fault is in force.
    pub fn creation_failure(&self, zone: &str) -> Option<ErrorItem> {
        if self.stockout {
            Some(ErrorItem {
                code: "ZONE_RESOURCE_POOL_EXHAUSTED".to_owned(),
                message: format!(
                    "The zone '{zone}' does not have enough resources available to fulfill the request. Try a different zone, or try again later."
                ),
                location: None,
            })
        } else if self.quota_exhausted {
            Some(ErrorItem {
                code: "QUOTA_EXCEEDED".to_owned(),
                message: "Quota 'NVIDIA_A100_GPUS' exceeded. Limit: 0.0 in region.".to_owned(),
                location: None,
            })
        } else {
            None
        }
    }
}
