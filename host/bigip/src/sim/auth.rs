//! Authentication in front of every `/mgmt` route but login: a live `X-F5-Auth-Token`, or
//! Basic credentials for the one user, with the device's 401 bodies; and the echo probe
//! clients call to test their credentials.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use serde_json::json;

use super::answers::{basic_auth_refused, framework_error, json_response};
use super::shared::Shared;

/// The user name and password of a Basic header, if any.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Accepts a live `X-F5-Auth-Token` or correct Basic credentials.
pub(crate) async fn authenticate(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    if let Some(token) = headers.get("X-F5-Auth-Token").and_then(|v| v.to_str().ok()) {
        let refusal = {
            let guard = shared.lock();
            match guard.tokens.get(token) {
                None => Some("X-F5-Auth-Token does not exist."),
                Some(record)
                    if record.expired
                        || record.issued.elapsed() >= Duration::from_secs(record.timeout_secs) =>
                {
                    Some("X-F5-Auth-Token has expired.")
                }
                Some(_) => None,
            }
        };
        return match refusal {
            Some(message) => framework_error(401, message),
            None => next.run(request).await,
        };
    }
    match basic_credentials(headers) {
        Some((user, password)) if user == shared.user && password == shared.password => {
            next.run(request).await
        }
        Some(_) => basic_auth_refused(),
        None => framework_error(
            401,
            &format!(
                "Authorization failed: no user authentication header or token detected. Uri:http://localhost:8100{} Referrer:127.0.0.1 Sender:127.0.0.1",
                request.uri().path()
            ),
        ),
    }
}

/// `GET /mgmt/shared/echo-query`: bigrest's check that Basic credentials work.
pub(crate) async fn echo() -> Response {
    json_response(
        200,
        &json!({"kind": "shared:echo-query:echorequeststate", "selfLink": "https://localhost/mgmt/shared/echo-query"}),
    )
}
