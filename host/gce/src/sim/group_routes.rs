//! Managed instance group routes, zonal and regional alike
//! (`projects/{p}/{zones|regions}/{l}/instanceGroupManagers[/{name}[/{verb}]]`):
//! list, insert, get, delete, listManagedInstances, resize, and the member
//! verbs of [`super::members`]. Every mutation answers with an Operation in the
//! group's own scope.

use std::collections::HashMap;

use axum::http::Method;
use serde_json::Value;

use super::error::SimError;
use super::groups::group_key;
use super::paging::PageRequest;
use super::routes::{Outcome, mutate};
use super::state::SimState;

/// The POST verbs that change a group's members or template.
const MEMBER_VERBS: [&str; 4] = [
    "deleteInstances",
    "recreateInstances",
    "abandonInstances",
    "setInstanceTemplate",
];

/// The `instances` list of a member verb's body.
fn instance_links(body: &Value) -> Vec<String> {
    body["instances"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Routes `{scope}/instanceGroupManagers/{tail…}`.
pub(super) fn group_route(
    state: &mut SimState,
    method: &Method,
    scope: &str,
    tail: &[&str],
    query: &HashMap<String, String>,
    body: Value,
) -> Result<Outcome, SimError> {
    let json = |value: Value| Ok(Outcome::Json(value));
    match (method.as_str(), tail) {
        ("GET", []) => {
            let page = PageRequest::from_query(query, &format!("{scope}/instanceGroupManagers"))?;
            json(page.apply(state.list_groups(scope), "items"))
        }
        ("POST", []) => {
            let name = body["name"].as_str().unwrap_or_default().to_owned();
            let target = group_key(scope, &name);
            mutate(state, &target, "insert", query, |state| {
                let key = state.insert_group(scope, body, false)?;
                Ok(state
                    .groups
                    .get(&key)
                    .map(|group| group.id().to_owned())
                    .unwrap_or_default())
            })
        }
        ("GET", [name]) => json(state.render_group(scope, name)?),
        ("DELETE", [name]) => {
            let target = group_key(scope, name);
            mutate(state, &target, "delete", query, |state| {
                state.delete_group(scope, name)
            })
        }
        ("POST", [name, "listManagedInstances"]) => {
            let listed = state.list_managed_instances(scope, name)?;
            if !state.paginates_instances(scope, name)? {
                return json(listed);
            }
            let list = format!("{}/listManagedInstances", group_key(scope, name));
            let page = PageRequest::from_query(query, &list)?;
            json(page.apply(listed, "managedInstances"))
        }
        ("POST", [name, "resize"]) => {
            let size = query
                .get("size")
                .ok_or_else(|| SimError::required("size"))?
                .parse::<u32>()
                .map_err(|_| {
                    SimError::invalid(
                        "Invalid value for field 'size': must be a non-negative int32",
                    )
                })?;
            let target = group_key(scope, name);
            state.render_group(scope, name)?;
            mutate(
                state,
                &target,
                "compute.instanceGroupManagers.resize",
                query,
                |state| state.resize_group(scope, name, size),
            )
        }
        ("POST", [name, verb]) if MEMBER_VERBS.contains(verb) => {
            let target = group_key(scope, name);
            state.render_group(scope, name)?;
            let links = instance_links(&body);
            let operation_type = format!("compute.instanceGroupManagers.{verb}");
            mutate(
                state,
                &target,
                &operation_type,
                query,
                |state| match *verb {
                    "deleteInstances" => {
                        let skip = body["skipInstancesOnValidationError"]
                            .as_bool()
                            .unwrap_or(false);
                        state.delete_group_instances(scope, name, &links, skip)
                    }
                    "recreateInstances" => state.recreate_group_instances(scope, name, &links),
                    "abandonInstances" => state.abandon_group_instances(scope, name, &links),
                    _ => state.set_group_template(scope, name, body["instanceTemplate"].as_str()),
                },
            )
        }
        (_, [_] | [_, _]) => Err(SimError::method_not_allowed()),
        _ => Err(SimError::not_found(&format!(
            "{scope}/instanceGroupManagers/{}",
            tail.join("/")
        ))),
    }
}
