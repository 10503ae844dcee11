//! The simulator's own admin endpoint under `/fulcrum-sim` (no auth, loopback only): request
//! counters, the faults in force, and a member's health and connection count.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::answers::json_response;
use super::faults::Faults;
use super::shared::Shared;
use crate::path::FullPath;

pub(crate) async fn counters(State(shared): State<Arc<Shared>>) -> Response {
    json_response(200, &json!(shared.counters.snapshot()))
}

pub(crate) async fn reset_counters(State(shared): State<Arc<Shared>>) -> Response {
    shared.counters.reset();
    json_response(200, &json!(shared.counters.snapshot()))
}

pub(crate) async fn faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(200, &json!(shared.faults.get()))
}

pub(crate) async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            shared.faults.set(faults);
            json_response(200, &json!(shared.faults.get()))
        }
        Err(error) => json_response(
            400,
            &json!({"code": 400, "message": format!("faults: {error}")}),
        ),
    }
}

/// The body of `PUT /fulcrum-sim/member-load`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberLoad {
    pool: String,
    member: String,
    healthy: Option<bool>,
    connections: Option<u64>,
}

pub(crate) async fn member_load(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let load = match serde_json::from_slice::<MemberLoad>(&body) {
        Ok(load) => load,
        Err(error) => {
            return json_response(
                400,
                &json!({"code": 400, "message": format!("member-load: {error}")}),
            );
        }
    };
    let (pool, member) = (FullPath::parse(&load.pool), FullPath::parse(&load.member));
    match shared.set_member_load(&pool, &member, load.healthy, load.connections) {
        Ok(()) => json_response(
            200,
            &json!({"pool": pool.as_str(), "member": member.as_str()}),
        ),
        Err(error) => json_response(404, &json!({"code": 404, "message": error.to_string()})),
    }
}
