//! `/mgmt/tm/transaction/<id>/commands`: listing a transaction's queued commands, reading one,
//! changing its `evalOrder`, and removing it before the commit.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::bodies::{CommandBody, render_command};
use super::{PendingTransaction, live_transaction, missing_transaction, refuse_coordinated};
use crate::sim::answers::{json_response, mcpd_error};
use crate::sim::shared::Shared;
use crate::sim::state::SimError as ModelError;

pub(crate) async fn list_commands(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    let Some(transaction) = live_transaction(&mut guard, id) else {
        return missing_transaction();
    };
    let items: Vec<CommandBody<'_>> = transaction
        .commands
        .iter()
        .map(|c| render_command(id, c, &version))
        .collect();
    json_response(
        200,
        &json!({"kind": "tm:transaction:commandscollectionstate", "selfLink": format!("https://localhost/mgmt/tm/transaction/{id}/commands?ver={version}"), "items": items}),
    )
}

/// Looks up one command and hands it to `act`; 400 "Found invalid command id" when it is missing.
fn with_command(
    shared: &Shared,
    id: u64,
    command: u32,
    act: impl FnOnce(&mut PendingTransaction, usize, &str) -> Response,
) -> Response {
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    let Some(transaction) = live_transaction(&mut guard, id) else {
        return missing_transaction();
    };
    match transaction.commands.iter().position(|c| c.id == command) {
        Some(index) => act(transaction, index, &version),
        None => mcpd_error(&ModelError {
            status: 400,
            message: format!("Found invalid command id {command}"),
            api_error: 1,
        }),
    }
}

pub(crate) async fn read_command(
    State(shared): State<Arc<Shared>>,
    Path((id, command)): Path<(u64, u32)>,
) -> Response {
    with_command(&shared, id, command, |t, index, version| {
        json_response(200, &render_command(id, &t.commands[index], version))
    })
}

pub(crate) async fn reorder_command(
    State(shared): State<Arc<Shared>>,
    Path((id, command)): Path<(u64, u32)>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let order = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b.get("evalOrder").and_then(Value::as_u64));
    let Some(order) = order.and_then(|o| u32::try_from(o).ok()) else {
        return mcpd_error(&ModelError::bad_request(
            "invalid property value \"evalOrder\"",
        ));
    };
    with_command(&shared, id, command, |t, index, version| {
        t.commands[index].eval_order = order;
        json_response(200, &render_command(id, &t.commands[index], version))
    })
}

pub(crate) async fn delete_command(
    State(shared): State<Arc<Shared>>,
    Path((id, command)): Path<(u64, u32)>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    with_command(&shared, id, command, |t, index, _| {
        t.commands.remove(index);
        StatusCode::OK.into_response()
    })
}
