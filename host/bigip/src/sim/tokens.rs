//! Token authentication: `POST /mgmt/shared/authn/login` and the `/mgmt/shared/authz/tokens`
//! collection (list, read, extend, log out), with the device's lifetime and per-user limits.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::answers::{framework_error, json_response};
use super::shared::Shared;

/// Tokens a user other than admin may hold at once.
const MAX_TOKENS_PER_USER: usize = 100;
/// The longest token lifetime a device accepts.
const MAX_TOKEN_TIMEOUT_SECS: u64 = 36_000;

/// A token issued by the login endpoint.
pub(crate) struct TokenRecord {
    pub user: String,
    pub timeout_secs: u64,
    pub issued: Instant,
    pub issued_micros: u64,
    pub expired: bool,
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

fn new_token_value() -> String {
    use std::hash::{BuildHasher, Hasher};
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut value = String::with_capacity(26);
    while value.len() < 26 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(now_micros());
        let mut bits = hasher.finish();
        for _ in 0..12 {
            if value.len() == 26 {
                break;
            }
            value.push(BASE32[(bits & 31) as usize] as char);
            bits >>= 5;
        }
    }
    value
}

fn render_token(value: &str, record: &TokenRecord) -> Value {
    let now = now_micros();
    let elapsed = record.issued.elapsed().as_micros() as u64;
    json!({
        "token": value, "name": value, "userName": record.user, "authProviderName": "tmos",
        "user": {"link": format!("https://localhost/mgmt/shared/authz/users/{}", record.user)},
        "timeout": record.timeout_secs, "startTime": "2026-01-01T00:00:00.000+0000", "address": "127.0.0.1",
        "partition": "[All]", "generation": 1, "lastUpdateMicros": now,
        "expirationMicros": record.issued_micros + record.timeout_secs * 1_000_000,
        "ageMicros": elapsed,
        "kind": "shared:authz:tokens:authtokenitemstate",
        "selfLink": format!("https://localhost/mgmt/shared/authz/tokens/{value}"),
    })
}

pub(crate) async fn login(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return framework_error(400, "Bad Request: the login body must be JSON");
    };
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (user, password, provider) = (
        field("username"),
        field("password"),
        body.get("loginProviderName")
            .and_then(Value::as_str)
            .unwrap_or("tmos")
            .to_owned(),
    );
    if provider != "tmos" {
        return framework_error(401, "loginProviderName is invalid.");
    }
    if user != shared.user || password != shared.password {
        return framework_error(401, "Authentication failed.");
    }
    let mut guard = shared.lock();
    let live = guard
        .tokens
        .values()
        .filter(|t| t.user == user && !t.expired)
        .count();
    if user != "admin" && live >= MAX_TOKENS_PER_USER {
        return framework_error(
            400,
            &format!("Bad Request: user {user} has reached maximum active login tokens"),
        );
    }
    let value = new_token_value();
    let record = TokenRecord {
        user: user.clone(),
        timeout_secs: shared.token_timeout_secs,
        issued: Instant::now(),
        issued_micros: now_micros(),
        expired: false,
    };
    let token = render_token(&value, &record);
    guard.tokens.insert(value, record);
    shared.counters.logins.fetch_add(1, Ordering::Relaxed);
    let link = "https://localhost/mgmt/cm/system/authn/providers/tmos/1f44a60e-11a7-3c51-a49f-82983026b41b/login";
    json_response(
        200,
        &json!({"username": user, "loginReference": {"link": link}, "loginProviderName": provider, "token": token, "generation": 0, "lastUpdateMicros": 0}),
    )
}

pub(crate) async fn list_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let guard = shared.lock();
    let items: Vec<Value> = guard
        .tokens
        .iter()
        .map(|(value, record)| render_token(value, record))
        .collect();
    json_response(
        200,
        &json!({"items": items, "kind": "shared:authz:tokens:authtokencollectionstate", "selfLink": "https://localhost/mgmt/shared/authz/tokens"}),
    )
}

pub(crate) async fn read_token(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Response {
    match shared.lock().tokens.get(&token) {
        Some(record) => json_response(200, &render_token(&token, record)),
        None => framework_error(404, &format!("Token {token} was not found.")),
    }
}

pub(crate) async fn extend_token(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let requested =
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|b| match b.get("timeout") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.parse().ok(),
                _ => None,
            });
    let Some(timeout) = requested else {
        return framework_error(400, "Bad Request: timeout must be a number of seconds");
    };
    if timeout > MAX_TOKEN_TIMEOUT_SECS {
        return framework_error(406, "Auth-token absolute timeout (36000 seconds) exceeded");
    }
    let mut guard = shared.lock();
    match guard.tokens.get_mut(&token) {
        Some(record) => {
            record.timeout_secs = timeout;
            json_response(200, &render_token(&token, record))
        }
        None => framework_error(404, &format!("Token {token} was not found.")),
    }
}

pub(crate) async fn delete_token(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
) -> Response {
    match shared.lock().tokens.remove(&token) {
        Some(_) => StatusCode::OK.into_response(),
        None => framework_error(404, &format!("Token {token} was not found.")),
    }
}
