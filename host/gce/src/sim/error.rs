//! The simulator's error answers, in Google's envelope:
//! `{"error":{"code","message","errors":[{"domain","reason","message"}]}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer of the simulated API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub code: u16,
    pub domain: &'static str,
    pub reason: &'static str,
    pub message: String,
}

impl SimError {
    pub fn new(
        code: u16,
        domain: &'static str,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            domain,
            reason,
            message: message.into(),
        }
    }

    /// 404 `notFound` for the resource at `path` (from `projects/` on).
    pub fn not_found(path: &str) -> Self {
        Self::new(
            404,
            "global",
            "notFound",
            format!("The resource '{path}' was not found"),
        )
    }

    /// 409 `alreadyExists`.
    pub fn already_exists(path: &str) -> Self {
        Self::new(
            409,
            "global",
            "alreadyExists",
            format!("The resource '{path}' already exists"),
        )
    }

    /// 400 `invalid` with a message naming the field.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "global", "invalid", message)
    }

    /// 400 `required`: a field is missing.
    pub fn required(field: &str) -> Self {
        Self::new(
            400,
            "global",
            "required",
            format!("Required field '{field}' not specified"),
        )
    }

    /// 412 `conditionNotMet`: a stale fingerprint.
    pub fn condition_not_met() -> Self {
        Self::new(412, "global", "conditionNotMet", "Precondition Failed")
    }

    /// 403 or 429 `rateLimitExceeded` for the per-minute query quota.
    pub fn rate_limited(code: u16) -> Self {
        Self::new(
            code,
            "usageLimits",
            "rateLimitExceeded",
            "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:0'.",
        )
    }

    /// 405 for a method the path does not support.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "global",
            "httpMethodNotAllowed",
            "HTTP method not allowed",
        )
    }
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": {
            "code": self.code,
            "message": self.message,
            "errors": [{"domain": self.domain, "reason": self.reason, "message": self.message}],
        }});
        if self.code == 429 {
            body["error"]["status"] = json!("RESOURCE_EXHAUSTED");
        }
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, super::routes::google_json(body)).into_response()
    }
}
