//! The errors of Compute calls: Google's own (code, reason, message) with the
//! resource they concern, failed operations, and transport or auth failures.

use crate::auth::AuthError;
use crate::wire::{ErrorEnvelope, ErrorItem};

/// A Compute v1 call or operation failed.
#[derive(Debug, thiserror::Error)]
pub enum GceError {
    /// Google answered with an error envelope (or a bare status).
    #[error("{resource}: Google answered {code} {reason}: {message}")]
    Api {
        /// The resource the request was about.
        resource: String,
        /// The HTTP status.
        code: u16,
        /// `errors[0].reason`, e.g. `notFound`, `conditionNotMet`, `rateLimitExceeded`.
        reason: String,
        /// Google's message.
        message: String,
    },
    /// A retryable failure persisted through every attempt the policy allows.
    #[error("{resource}: gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// The resource the request was about.
        resource: String,
        /// How many attempts were made.
        attempts: u32,
        #[source]
        /// The error of the last attempt.
        last: Box<GceError>,
    },
    /// The operation reached DONE carrying errors.
    #[error("{resource}: operation {operation} failed: {}", describe_items(.errors))]
    OperationFailed {
        /// The resource the request was about.
        resource: String,
        /// The Operation's name.
        operation: String,
        /// The HTTP status the failure stands for, when Google gives one.
        http_status: Option<i32>,
        /// The errors the operation ended with.
        errors: Vec<ErrorItem>,
    },
    /// The operation was not DONE within the client's operation timeout.
    #[error("{resource}: operation {operation} not done after {waited_s} s")]
    OperationTimedOut {
        /// The resource the request was about.
        resource: String,
        /// The Operation's name.
        operation: String,
        /// Seconds waited before giving up.
        waited_s: u64,
    },
    /// The request never got an HTTP answer, or its body could not be read.
    #[error("{resource}: request failed: {source}")]
    Transport {
        /// The resource the request was about.
        resource: String,
        #[source]
        /// The transport error.
        source: reqwest::Error,
    },
    /// The answer was not the JSON shape Compute v1 documents.
    #[error("{resource}: unexpected response body: {source}")]
    Decode {
        /// The resource the request was about.
        resource: String,
        #[source]
        /// Why the body did not decode.
        source: serde_json::Error,
    },
    /// Fulcrum refused the change before sending it.
    #[error("{resource}: {reason}")]
    Refused {
        /// The resource the change was for.
        resource: String,
        /// Why it was refused.
        reason: String,
    },
    /// No access token could be had.
    #[error(transparent)]
    Auth(#[from] AuthError),
}

impl GceError {
    /// Turns an error answer into [`GceError::Api`], tolerating bodies that are
    /// not Google's envelope (proxies, load balancers).
    pub fn from_response(resource: &str, status: u16, body: &[u8]) -> Self {
        let envelope: Option<ErrorEnvelope> = serde_json::from_slice(body).ok();
        let (reason, message) = match envelope {
            Some(envelope) => {
                let first = envelope.error.errors.first();
                let reason = first
                    .map(|detail| detail.reason.clone())
                    .or(envelope.error.status.clone())
                    .unwrap_or_default();
                let message = if envelope.error.message.is_empty() {
                    first
                        .map(|detail| detail.message.clone())
                        .unwrap_or_default()
                } else {
                    envelope.error.message
                };
                (reason, message)
            }
            None => (
                String::new(),
                String::from_utf8_lossy(body).chars().take(300).collect(),
            ),
        };
        Self::Api {
            resource: resource.to_owned(),
            code: status,
            reason,
            message,
        }
    }

    /// Google's HTTP status, for API errors (after unwrapping exhausted retries).
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { code, .. } => Some(*code),
            Self::RetriesExhausted { last, .. } => last.http_status(),
            _ => None,
        }
    }
}

fn describe_items(items: &[ErrorItem]) -> String {
    items
        .iter()
        .map(|item| format!("{}: {}", item.code, item.message))
        .collect::<Vec<_>>()
        .join("; ")
}
