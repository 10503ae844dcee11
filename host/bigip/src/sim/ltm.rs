//! `/mgmt/tm/ltm/...`: reads and writes of pools, members, nodes, virtual servers and HTTP
//! monitors against the store, query options on reads, and writes carrying the coordination
//! header queued into their transaction instead of applied.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppliedWrite;
use super::answers::{json_bytes, json_response, mcpd_error, not_registered, parse_body};
use super::query::QueryOptions;
use super::shared::Shared;
use super::state::{Reply, Resource, SimError as ModelError};
use super::transactions::{Command, live_transaction, render_command};
use crate::client::COORDINATION_HEADER;
use crate::path::percent_decode;

/// The `/mgmt/tm/ltm/` segments of a path, percent-decoded.
pub(crate) fn ltm_segments(path: &str) -> Vec<String> {
    path.trim_start_matches("/mgmt/tm/ltm/")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

/// The transaction a request's `X-F5-REST-Coordination-Id` header names, if any.
pub(crate) fn coordination_id(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(COORDINATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
}

pub(crate) async fn ltm(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(resource) = Resource::parse(&ltm_segments(uri.path())) else {
        return not_registered(uri).await;
    };
    let body = match parse_body(&body) {
        Ok(body) => body,
        Err(error) => return mcpd_error(&error),
    };
    let read = method == Method::GET;
    let options = match read.then(|| QueryOptions::parse(uri.query())).transpose() {
        Ok(options) => options.flatten(),
        Err(error) => return mcpd_error(&error),
    };
    let mut guard = shared.lock();
    if let Some(id) = coordination_id(&headers).filter(|_| method != Method::GET) {
        let version = guard.store.version().to_owned();
        let Some(transaction) = live_transaction(&mut guard, id) else {
            return mcpd_error(&ModelError::bad_request(format!(
                "Transaction {id} does not exist or has expired."
            )));
        };
        if transaction.state != "STARTED" {
            return mcpd_error(&ModelError::bad_request(format!(
                "Transaction {id} is not in STARTED state."
            )));
        }
        transaction.next_command += 1;
        let command = Command {
            id: transaction.next_command,
            eval_order: transaction.next_command,
            method: method.to_string(),
            path: uri.path().to_owned(),
            body: body.unwrap_or(json!({})),
        };
        let rendered = json_response(200, &render_command(id, &command, &version));
        transaction.commands.push(command);
        return rendered;
    }
    let reply = guard
        .store
        .execute(method.as_str(), &resource, body.as_ref());
    if !read && reply.is_ok() {
        shared.applied.push(AppliedWrite {
            method: method.to_string(),
            path: uri.path().to_owned(),
            body: body.unwrap_or(json!({})),
        });
    }
    // The query options reshape the answer after the lock is released.
    let shaping = options.map(|options| (options, guard.store.version().to_owned()));
    drop(guard);
    match reply {
        Ok(Reply::Empty) => StatusCode::OK.into_response(),
        Ok(Reply::Json(body)) => match shaping {
            Some((options, version)) => json_bytes(200, options.apply(&body, uri.path(), &version)),
            None => json_bytes(200, body),
        },
        Err(error) => mcpd_error(&error),
    }
}
