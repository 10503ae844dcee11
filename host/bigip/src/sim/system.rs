//! Probe endpoints outside LTM: the `/mgmt/tm/sys` organising collection, `sys/version` and
//! `net/self`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::json;

use super::answers::json_response;
use super::shared::Shared;

pub(crate) async fn sys(State(shared): State<Arc<Shared>>) -> Response {
    let link = |path: &str| json!({"reference": {"link": format!("https://localhost/mgmt/tm/sys/{path}?ver={}", shared.version)}});
    json_response(
        200,
        &json!({
            "kind": "tm:sys:syscollectionstate",
            "selfLink": format!("https://localhost/mgmt/tm/sys?ver={}", shared.version),
            "items": [link("application"), link("dns"), link("version")],
        }),
    )
}

pub(crate) async fn sys_version(State(shared): State<Arc<Shared>>) -> Response {
    let entry = "https://localhost/mgmt/tm/sys/version/0";
    json_response(
        200,
        &json!({
            "kind": "tm:sys:version:versionstats",
            "selfLink": format!("https://localhost/mgmt/tm/sys/version?ver={}", shared.version),
            "entries": { entry: {"nestedStats": {"entries": {
                "Build": {"description": "0.0.1"}, "Edition": {"description": "Final"},
                "Product": {"description": "BIG-IP"}, "Version": {"description": shared.version},
            }}}},
        }),
    )
}

pub(crate) async fn net_self(State(shared): State<Arc<Shared>>) -> Response {
    json_response(
        200,
        &json!({"kind": "tm:net:self:selfcollectionstate", "selfLink": format!("https://localhost/mgmt/tm/net/self?ver={}", shared.version), "items": []}),
    )
}
