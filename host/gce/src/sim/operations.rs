//! Simulated Operations: created when a mutation is accepted, PENDING, then
//! RUNNING, then DONE once the configured delay has passed, optionally ending
//! with errors. `requestId` replays find the original Operation.

use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use crate::wire::ErrorItem;

/// One Operation and what it reports.
#[derive(Debug, Clone)]
pub struct SimOperation {
    pub name: String,
    pub id: String,
    /// `zones/{z}`, `regions/{r}` or `global`.
    pub scope: String,
    pub operation_type: String,
    pub target_link: String,
    pub target_id: String,
    pub request_id: Option<String>,
    pub started: Instant,
    /// Wall-clock time of `started`, for the RFC 3339 timestamps.
    pub started_wall: SystemTime,
    /// Errors it ends with, and the HTTP status they stand for.
    pub failure: Option<(u16, ErrorItem)>,
}

impl SimOperation {
    /// Renders the Operation as Google does at `now`, given the time
    /// operations take.
    pub fn render(&self, base: &str, project: &str, delay: Duration, now: Instant) -> Value {
        let elapsed = now.saturating_duration_since(self.started);
        let (status, progress) = if elapsed >= delay {
            ("DONE", 100)
        } else if elapsed < delay / 3 {
            ("PENDING", 0)
        } else {
            (
                "RUNNING",
                (elapsed.as_millis() * 100 / delay.as_millis().max(1)) as i64,
            )
        };
        let mut body = json!({
            "kind": "compute#operation",
            "id": self.id,
            "name": self.name,
            "operationType": self.operation_type,
            "targetLink": self.target_link,
            "targetId": self.target_id,
            "status": status,
            "progress": progress,
            "user": "fulcrum-sim@example.com",
            "insertTime": rfc3339(self.started_wall),
            "startTime": rfc3339(self.started_wall),
            "selfLink": format!("{base}projects/{project}/{}/operations/{}", self.scope, self.name),
        });
        if let Some(zone) = self.scope.strip_prefix("zones/") {
            body["zone"] = json!(format!("{base}projects/{project}/zones/{zone}"));
        }
        if let Some(region) = self.scope.strip_prefix("regions/") {
            body["region"] = json!(format!("{base}projects/{project}/regions/{region}"));
        }
        if let Some(request_id) = &self.request_id {
            body["clientOperationId"] = json!(request_id);
        }
        if status == "DONE" {
            body["endTime"] = json!(rfc3339(self.started_wall + delay));
            if let Some((http_status, error)) = &self.failure {
                body["httpErrorStatusCode"] = json!(http_status);
                body["httpErrorMessage"] = json!("FORBIDDEN");
                body["error"] = json!({"errors": [error]});
            }
        }
        body
    }

    /// How long until the Operation is DONE.
    pub fn remaining(&self, delay: Duration, now: Instant) -> Duration {
        delay.saturating_sub(now.saturating_duration_since(self.started))
    }
}

/// An RFC 3339 timestamp with milliseconds, as Compute writes them.
pub fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}
