//! The answers every route shares: JSON with the device's content type, mcpd's and
//! restjavad's error bodies, the HTML pages of a restarting or refusing box, the 404 of an
//! unregistered path, and reading a request's JSON body.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::state::SimError as ModelError;

pub(crate) fn json_response(status: u16, body: &impl serde::Serialize) -> Response {
    json_bytes(
        status,
        serde_json::to_vec(body).expect("answer bodies serialize"),
    )
}

pub(crate) fn json_bytes(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        body,
    )
        .into_response()
}

/// mcpd's error body: `{"code","message","errorStack":[],"apiError"}`.
pub(crate) fn mcpd_error(error: &ModelError) -> Response {
    json_response(
        error.status,
        &json!({"code": error.status, "message": error.message, "errorStack": [], "apiError": error.api_error}),
    )
}

/// restjavad's error body: `{"code","message","referer","restOperationId","kind":":resterrorresponse"}`.
pub(crate) fn framework_error(status: u16, message: &str) -> Response {
    static OPERATION: AtomicU64 = AtomicU64::new(7_945_916);
    let id = OPERATION.fetch_add(1, Ordering::Relaxed);
    json_response(
        status,
        &json!({"code": status, "message": message, "referer": "127.0.0.1", "restOperationId": id, "kind": ":resterrorresponse"}),
    )
}

pub(crate) fn unavailable_page() -> Response {
    let html = "<html><head><title>Configuration Utility restarting...</title></head><body>Configuration Utility restarting...</body></html>";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html")],
        html,
    )
        .into_response()
}

pub(crate) fn basic_auth_refused() -> Response {
    let html = "<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>";
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html; charset=iso-8859-1")],
        html,
    )
        .into_response()
}

/// restjavad's 404 for a path no worker serves.
pub(crate) async fn not_registered(uri: Uri) -> Response {
    let message = format!(
        "URI path {} not registered.  Please verify URI is supported and wait for /available suffix to be responsive.",
        uri.path()
    );
    framework_error(404, &message)
}

/// The JSON body of a request; `None` when it is empty or whitespace.
pub(crate) fn parse_body(body: &[u8]) -> Result<Option<Value>, ModelError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| ModelError::bad_request(format!("Unexpected character in the JSON body: {e}")))
}
