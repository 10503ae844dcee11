//! The model's error answer: an HTTP status, mcpd's message and its `apiError` code, with the
//! messages a device uses for missing, duplicate and malformed objects.

use serde_json::Value;

use crate::path::FullPath;

/// An iControl REST error answer: status, message, `apiError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SimError {
    pub status: u16,
    pub message: String,
    pub api_error: i64,
}

impl SimError {
    pub fn not_found(what: &str, path: &str) -> SimError {
        SimError {
            status: 404,
            message: format!("01020036:3: The requested {what} ({path}) was not found."),
            api_error: 3,
        }
    }

    pub fn exists(what: &str, path: &FullPath) -> SimError {
        SimError {
            status: 409,
            message: format!(
                "01020066:3: The requested {what} ({path}) already exists in partition {}.",
                path.partition()
            ),
            api_error: 3,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> SimError {
        SimError {
            status: 400,
            message: message.into(),
            api_error: 26214401,
        }
    }

    pub fn invalid_state(value: &Value) -> SimError {
        SimError::invalid_value("state", value)
    }

    pub(super) fn invalid_value(field: &str, value: &Value) -> SimError {
        SimError::bad_request(format!(
            "invalid property value \"{}\":{value}",
            tmsh_name(field)
        ))
    }
}

/// `loadBalancingMode` → `load-balancing-mode`, the spelling device errors use.
fn tmsh_name(field: &str) -> String {
    let mut out = String::new();
    for ch in field.chars() {
        if ch.is_ascii_uppercase() {
            out.push('-');
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}
