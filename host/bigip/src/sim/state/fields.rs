//! Reading a request body the way mcpd does: the object's name, the keys it may carry, typed
//! fields that refuse the wrong JSON type, and the admin `session`/`state` pair.

use std::net::IpAddr;

use serde_json::{Value, json};

use super::SimError;
use crate::path::FullPath;

/// Keys every object carries and every write may echo back.
const ENVELOPE_KEYS: [&str; 6] = [
    "kind",
    "name",
    "partition",
    "fullPath",
    "generation",
    "selfLink",
];

/// The object's full path from `{"name":"/P/n"}` or `{"name":"n","partition":"P"}`.
pub(super) fn name_from_body(body: &Value) -> Result<FullPath, SimError> {
    let name = body
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| SimError::bad_request("The name property must be specified."))?;
    if name.starts_with('/') {
        return Ok(FullPath::parse(name));
    }
    let partition = body
        .get("partition")
        .and_then(Value::as_str)
        .unwrap_or("Common");
    Ok(FullPath::new(partition, name))
}

/// Refuses a body that is not an object or carries a key outside the envelope and `allowed`.
pub(super) fn check_keys(body: &Value, path: &FullPath, allowed: &[&str]) -> Result<(), SimError> {
    let object = body
        .as_object()
        .ok_or_else(|| SimError::bad_request("The request body must be a JSON object."))?;
    for (key, value) in object {
        if !ENVELOPE_KEYS.contains(&key.as_str()) && !allowed.contains(&key.as_str()) {
            return Err(SimError::bad_request(format!(
                "Found unexpected json pair at configuration item {path}. The json pair is \"{key}\":{value}."
            )));
        }
    }
    Ok(())
}

/// An IP address, with or without a `%N` route domain.
pub(super) fn check_address(address: &str) -> Result<(), SimError> {
    let without_route_domain = address.split('%').next().unwrap_or(address);
    without_route_domain
        .parse::<IpAddr>()
        .map(drop)
        .map_err(|_| SimError::invalid_value("address", &json!(address)))
}

pub(super) fn str_field(body: &Value, key: &str) -> Result<Option<String>, SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(SimError::invalid_value(key, other)),
    }
}

/// A number, or a string holding one, that fits in a `u32`.
pub(super) fn u32_field(body: &Value, key: &str) -> Result<Option<u32>, SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => {
            let number = match value {
                Value::Number(n) => n.as_u64(),
                Value::String(text) => text.parse().ok(),
                _ => None,
            };
            number
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| SimError::invalid_value(key, value))
        }
    }
}

pub(super) fn yes_no_field(body: &Value, key: &str) -> Result<Option<bool>, SimError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text == "yes" => Ok(Some(true)),
        Some(Value::String(text)) if text == "no" => Ok(Some(false)),
        Some(other) => Err(SimError::invalid_value(key, other)),
    }
}

/// `session ∈ {user-enabled, user-disabled}`, `state ∈ {user-up, user-down}`; the read-only
/// values (`monitor-enabled`, `up`, `unchecked`, …) are refused as a device refuses them.
pub(super) fn apply_admin_fields(
    body: &Value,
    enabled: &mut bool,
    forced_down: &mut bool,
) -> Result<(), SimError> {
    match str_field(body, "session")?.as_deref() {
        None => {}
        Some("user-enabled") => *enabled = true,
        Some("user-disabled") => *enabled = false,
        Some(other) => return Err(SimError::invalid_value("session", &json!(other))),
    }
    match str_field(body, "state")?.as_deref() {
        None => {}
        Some("user-up") => *forced_down = false,
        Some("user-down") => *forced_down = true,
        Some(other) => return Err(SimError::invalid_value("state", &json!(other))),
    }
    Ok(())
}
