//! The simulated Compute v1 API under `/compute/v1/projects/{p}/…`: the seed
//! chain's collections and autoscalers (insert, get, list, delete), managed
//! instance groups ([`super::group_routes`]), backend services, Operations,
//! aggregated lists and the zones' VMs (get, list). Any bearer token, or none, is accepted.
//! Lists are paged by `maxResults` and `pageToken` ([`super::paging`]);
//! `alt`, `prettyPrint`, `fields` and `quotaUser` are ignored.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::backend_services::WriteKind;
use super::error::SimError;
use super::paging::PageRequest;
use super::state::SimState;

/// Collections served with plain insert / get / list / delete.
const PLAIN_COLLECTIONS: [&str; 6] = [
    "instanceTemplates",
    "healthChecks",
    "backendServices",
    "urlMaps",
    "targetHttpProxies",
    "forwardingRules",
];

/// The state every handler shares.
pub type Shared = Arc<Mutex<SimState>>;

/// Locks the state; a handler that panicked cannot leave it half-changed in a
/// way later requests must not see, so a poisoned lock is taken over.
pub fn lock(shared: &Shared) -> MutexGuard<'_, SimState> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A JSON answer with Google's content type.
pub fn google_json(body: Value) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
        body.to_string(),
    )
}

/// What a request resolves to once the state has been consulted.
pub(super) enum Outcome {
    Json(Value),
    /// `operations/{op}/wait` for the Operation at this path.
    Wait(String),
}

/// Entry point for every `/compute/v1/…` request.
pub async fn compute(
    State(shared): State<Shared>,
    method: Method,
    Path(path): Path<String>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let outcome = {
        let mut state = lock(&shared);
        state.stats.compute_requests += 1;
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("Bearer "));
        if bearer {
            state.stats.bearer_requests += 1;
        }
        if let Some(fault) = state.faults.take_request_fault() {
            state.stats.injected_faults += 1;
            return fault.into_response();
        }
        state.prune();
        parse_body(&body).and_then(|body| dispatch(&mut state, &method, &path, &query, body))
    };
    match outcome {
        Ok(Outcome::Json(value)) => google_json(value).into_response(),
        Ok(Outcome::Wait(op_path)) => match wait(&shared, &op_path).await {
            Ok(value) => google_json(value).into_response(),
            Err(error) => error.into_response(),
        },
        Err(error) => error.into_response(),
    }
}

fn parse_body(body: &Bytes) -> Result<Value, SimError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|error| {
        SimError::new(400, "global", "parseError", format!("Parse Error: {error}"))
    })
}

/// Blocks until the Operation is DONE or the simulator's wait deadline passes.
async fn wait(shared: &Shared, op_path: &str) -> Result<Value, SimError> {
    let started = Instant::now();
    loop {
        let (value, remaining, deadline) = {
            let state = lock(shared);
            let (value, remaining) = state.operation(op_path)?;
            (value, remaining, state.timing.wait_deadline)
        };
        let left = deadline.saturating_sub(started.elapsed());
        if remaining.is_zero() || left.is_zero() {
            return Ok(value);
        }
        tokio::time::sleep(remaining.min(left)).await;
    }
}

/// Runs a mutation: replays a known `requestId`, fails it when a
/// failed-operation fault is due, otherwise applies it and starts its Operation.
pub(super) fn mutate(
    state: &mut SimState,
    target: &str,
    operation_type: &str,
    query: &HashMap<String, String>,
    apply: impl FnOnce(&mut SimState) -> Result<String, SimError>,
) -> Result<Outcome, SimError> {
    let request_id = query.get("requestId").map(String::as_str);
    if let Some(request_id) = request_id {
        match uuid::Uuid::parse_str(request_id) {
            Ok(id) if !id.is_nil() => {}
            _ => {
                return Err(SimError::invalid(format!(
                    "Invalid value for field 'requestId': '{request_id}'. Must be a UUID other than the zero UUID."
                )));
            }
        }
    }
    if let Some(original) = state.replay(request_id) {
        return Ok(Outcome::Json(original));
    }
    if let Some(failure) = state.faults.take_failed_operation() {
        let op = state.start_operation(target, "0", operation_type, request_id, Some(failure));
        return Ok(Outcome::Json(op));
    }
    let target_id = apply(state)?;
    Ok(Outcome::Json(state.start_operation(
        target,
        &target_id,
        operation_type,
        request_id,
        None,
    )))
}

fn object_id(object: &Value) -> String {
    object["id"].as_str().unwrap_or_default().to_owned()
}

fn dispatch(
    state: &mut SimState,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    body: Value,
) -> Result<Outcome, SimError> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (project, rest) = match segments.as_slice() {
        ["projects", project, rest @ ..] => (*project, rest),
        _ => return Err(SimError::not_found(path)),
    };
    let full = format!("projects/{project}/{}", rest.join("/"));
    let json = |value: Value| Ok(Outcome::Json(value));
    match (method.as_str(), rest) {
        // Operations, in every scope.
        ("GET", ["global", "operations", _])
        | ("GET", ["zones" | "regions", _, "operations", _]) => json(state.operation(&full)?.0),
        ("POST", ["global", "operations", _, "wait"])
        | ("POST", ["zones" | "regions", _, "operations", _, "wait"]) => {
            let op_path = full.trim_end_matches("/wait").to_owned();
            state.operation(&op_path)?;
            Ok(Outcome::Wait(op_path))
        }

        // Managed instance groups, zonal and regional.
        (
            _,
            [
                kind @ ("zones" | "regions"),
                location,
                "instanceGroupManagers",
                tail @ ..,
            ],
        ) => {
            let scope = format!("projects/{project}/{kind}/{location}");
            super::group_routes::group_route(state, method, &scope, tail, query, body)
        }

        // Aggregated lists, and the VMs of a zone.
        ("GET", ["aggregated", collection]) => {
            json(state.aggregated_list(project, collection, query)?)
        }
        ("GET", ["zones", zone, "instances"]) => {
            let zone_path = format!("projects/{project}/zones/{zone}");
            let page = PageRequest::from_query(query, &format!("{zone_path}/instances"))?;
            json(page.apply(state.list_instances(&zone_path), "items"))
        }
        ("GET", ["zones", zone, "instances", name]) => {
            json(state.get_instance(&format!("projects/{project}/zones/{zone}"), name)?)
        }

        // Backend-service writes and health.
        ("PATCH" | "PUT", [scope @ .., "backendServices", name]) => {
            let collection = format!("projects/{project}/{}/backendServices", scope.join("/"));
            let kind = if method == Method::PATCH {
                WriteKind::Patch
            } else {
                WriteKind::Update
            };
            let verb = if kind == WriteKind::Patch {
                "patch"
            } else {
                "update"
            };
            mutate(state, &full, verb, query, |state| {
                state.write_backend_service(&collection, name, body, kind)
            })
        }
        ("POST", [scope @ .., "backendServices", name, "getHealth"]) => {
            let collection = format!("projects/{project}/{}/backendServices", scope.join("/"));
            json(state.backend_health(&collection, name, &body)?)
        }

        // Autoscalers name their target in the query on PATCH and PUT.
        ("PATCH" | "PUT", [kind @ ("zones" | "regions"), location, "autoscalers"]) => {
            let collection = format!("projects/{project}/{kind}/{location}/autoscalers");
            let name = query
                .get("autoscaler")
                .cloned()
                .ok_or_else(|| SimError::required("autoscaler"))?;
            let target = format!("{collection}/{name}");
            let replace = method == Method::PUT;
            let verb = if replace { "update" } else { "patch" };
            mutate(state, &target, verb, query, |state| {
                state.write_autoscaler(&collection, &name, body, replace)
            })
        }

        // The seed chain's collections, and autoscalers.
        (_, [scope @ .., collection]) if is_plain(scope, collection) => {
            let collection_path = format!("projects/{project}/{}/{collection}", scope.join("/"));
            match method.as_str() {
                "GET" => {
                    let page = PageRequest::from_query(query, &collection_path)?;
                    json(page.apply(state.list(&collection_path), "items"))
                }
                "POST" => {
                    let name = body["name"].as_str().unwrap_or_default().to_owned();
                    let target = format!("{collection_path}/{name}");
                    mutate(state, &target, "insert", query, |state| {
                        state
                            .insert(&collection_path, body)
                            .map(|object| object_id(&object))
                    })
                }
                _ => Err(SimError::method_not_allowed()),
            }
        }
        (_, [scope @ .., collection, name]) if is_plain(scope, collection) => {
            let collection_path = format!("projects/{project}/{}/{collection}", scope.join("/"));
            match method.as_str() {
                "GET" => json(state.get(&collection_path, name)?.clone()),
                "DELETE" => mutate(state, &full, "delete", query, |state| {
                    state
                        .delete(&collection_path, name)
                        .map(|object| object_id(&object))
                }),
                _ => Err(SimError::method_not_allowed()),
            }
        }
        _ => Err(SimError::not_found(&full)),
    }
}

/// Whether `scope/collection` is one of the plain collections (global, or
/// regional backend services).
fn is_plain(scope: &[&str], collection: &str) -> bool {
    match scope {
        ["global"] => PLAIN_COLLECTIONS.contains(&collection),
        ["regions", _] => matches!(collection, "backendServices" | "autoscalers"),
        ["zones", _] => collection == "autoscalers",
        _ => false,
    }
}
