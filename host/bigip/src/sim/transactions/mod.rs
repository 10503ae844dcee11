//! `/mgmt/tm/transaction`: creating a transaction, reading it, committing it atomically
//! (every queued command runs on a copy of the configuration, kept only if all succeed) and
//! deleting it. Its queued commands are in [`commands`]; their bodies in [`bodies`].

mod bodies;
pub(crate) mod commands;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) use self::bodies::render_command;
use self::bodies::render_transaction;
use super::AppliedWrite;
use super::answers::{json_response, mcpd_error, parse_body};
use super::ltm::{coordination_id, ltm_segments};
use super::shared::{Device, Shared};
use super::state::{Resource, SimError as ModelError};

/// Seconds before an uncommitted transaction is silently deleted.
const TRANSACTION_TIMEOUT_SECS: u64 = 120;

/// A transaction and its queued commands.
pub(crate) struct PendingTransaction {
    pub state: &'static str,
    created: Instant,
    timeout_secs: u64,
    pub commands: Vec<Command>,
    pub next_command: u32,
}

/// A write queued under the coordination header, run when the transaction commits.
pub(crate) struct Command {
    pub id: u32,
    pub eval_order: u32,
    pub method: String,
    pub path: String,
    pub body: Value,
}

/// The transaction, unless it is missing or has outlived its timeout (then it is deleted).
pub(crate) fn live_transaction(guard: &mut Device, id: u64) -> Option<&mut PendingTransaction> {
    let expired = guard.transactions.get(&id).is_some_and(|t| {
        t.state == "STARTED" && t.created.elapsed() >= Duration::from_secs(t.timeout_secs)
    });
    if expired {
        guard.transactions.remove(&id);
    }
    guard.transactions.get_mut(&id)
}

/// Management calls on transactions must not carry the coordination header.
fn refuse_coordinated(headers: &HeaderMap, method: &Method, uri: &Uri) -> Option<Response> {
    coordination_id(headers).map(|id| {
        mcpd_error(&ModelError::bad_request(format!(
            "Transaction {id} operation {method} {} is not allowed to be added to transaction.",
            uri.path()
        )))
    })
}

fn missing_transaction() -> Response {
    mcpd_error(&ModelError {
        status: 404,
        message: "Missing transaction ID for this call.".into(),
        api_error: 1,
    })
}

pub(crate) async fn create_transaction(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    // Read whole though unused (clients send `{}`): a body left unread makes
    // the server close the kept-alive connection, and a client that sends
    // its next request on it meanwhile gets no answer.
    _body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let mut guard = shared.lock();
    guard.next_transaction += 1;
    let id = guard.next_transaction;
    let transaction = PendingTransaction {
        state: "STARTED",
        created: Instant::now(),
        timeout_secs: TRANSACTION_TIMEOUT_SECS,
        commands: Vec::new(),
        next_command: 0,
    };
    let rendered = render_transaction(id, &transaction, guard.store.version());
    guard.transactions.insert(id, transaction);
    json_response(200, &rendered)
}

pub(crate) async fn read_transaction(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
) -> Response {
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    match live_transaction(&mut guard, id) {
        Some(transaction) => json_response(200, &render_transaction(id, transaction, &version)),
        None => missing_transaction(),
    }
}

/// `PATCH {"state":"VALIDATING"}`: runs every command on a copy of the configuration and keeps
/// the copy only if all succeed (and `validateOnly` is not set).
pub(crate) async fn commit_transaction(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let body = match parse_body(&body) {
        Ok(body) => body.unwrap_or(json!({})),
        Err(error) => return mcpd_error(&error),
    };
    if body.get("state").and_then(Value::as_str) != Some("VALIDATING") {
        return mcpd_error(&ModelError::invalid_state(
            body.get("state").unwrap_or(&Value::Null),
        ));
    }
    let validate_only = body
        .get("validateOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    let Some(transaction) = live_transaction(&mut guard, id) else {
        return missing_transaction();
    };
    if transaction.state != "STARTED" {
        return mcpd_error(&ModelError::bad_request(format!(
            "Transaction {id} is not in STARTED state."
        )));
    }
    if transaction.commands.is_empty() {
        return mcpd_error(&ModelError::bad_request(format!(
            "Transaction {id} failed: there is no command to commit in the transaction."
        )));
    }
    let mut commands: Vec<(u32, String, String, Value)> = transaction
        .commands
        .iter()
        .map(|c| {
            (
                c.eval_order,
                c.method.clone(),
                c.path.clone(),
                c.body.clone(),
            )
        })
        .collect();
    commands.sort_by_key(|(order, ..)| *order);
    let mut candidate = guard.store.clone();
    for (_, method, path, body) in &commands {
        let outcome = match Resource::parse(&ltm_segments(path)) {
            Some(resource) => candidate.write(method, &resource, Some(body)).map(drop),
            None => Err(ModelError::bad_request(format!(
                "URI path {path} is not supported in a transaction."
            ))),
        };
        if let Err(error) = outcome {
            if let Some(transaction) = guard.transactions.get_mut(&id) {
                transaction.state = "FAILED";
            }
            return mcpd_error(&ModelError {
                status: 400,
                message: format!("transaction failed:{}", error.message),
                api_error: 2,
            });
        }
    }
    if !validate_only {
        guard.store = candidate;
        for (_, method, path, body) in commands {
            shared.applied.push(AppliedWrite { method, path, body });
        }
    }
    let transaction = guard.transactions.get_mut(&id).expect("looked up above");
    transaction.state = "COMPLETED";
    let rendered = render_transaction(id, transaction, &version);
    drop(guard);
    if !validate_only {
        shared.counters.transactions.fetch_add(1, Ordering::Relaxed);
    }
    json_response(200, &rendered)
}

pub(crate) async fn delete_transaction(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    match shared.lock().transactions.remove(&id) {
        Some(_) => StatusCode::OK.into_response(),
        None => missing_transaction(),
    }
}
