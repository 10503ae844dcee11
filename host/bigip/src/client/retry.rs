//! Which failures are worth another try, and how long to wait between tries. Only transient
//! device states are retried: mcpd restarting (500 "connection to mcpd has been lost"), the
//! management UI restarting (503), restjavad not yet serving a path (404 "not registered").

use std::time::Duration;

use serde::Deserialize;

/// A bounded exponential backoff.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Tries in all, the first included; 1 means no retry.
    pub attempts: u32,
    /// Wait before the second try, in milliseconds; doubled for each later one.
    pub initial_backoff_ms: u64,
    /// The longest wait between two tries, in milliseconds.
    pub max_backoff_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            initial_backoff_ms: 200,
            max_backoff_ms: 2_000,
        }
    }
}

impl RetryPolicy {
    /// The wait before try number `attempt` (2 for the first retry).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(2).min(20);
        let millis = self
            .initial_backoff_ms
            .saturating_mul(1 << doublings)
            .min(self.max_backoff_ms);
        Duration::from_millis(millis)
    }
}

/// Whether a device answer describes a transient state that a later try may get past.
pub(crate) fn is_retryable(status: u16, message: &str) -> bool {
    match status {
        503 => true,
        500 => message.contains("connection to mcpd has been lost"),
        404 => message.contains("not registered"),
        _ => message.contains("there is an active asynchronous task executing"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_device_states_are_retried() {
        assert!(is_retryable(
            500,
            "The connection to mcpd has been lost, try again."
        ));
        assert!(is_retryable(503, "Configuration Utility restarting"));
        assert!(!is_retryable(
            404,
            "01020036:3: The requested Pool (/Common/my-pool) was not found."
        ));
        assert!(!is_retryable(
            400,
            "invalid property value \"state\":\"up\""
        ));
        assert!(!is_retryable(500, "something else broke"));
    }

    #[test]
    fn backoff_doubles_up_to_its_bound() {
        let policy = RetryPolicy {
            attempts: 6,
            initial_backoff_ms: 100,
            max_backoff_ms: 350,
        };
        let waits: Vec<u128> = (2..=5).map(|n| policy.backoff(n).as_millis()).collect();
        assert_eq!(waits, [100, 200, 350, 350]);
    }
}
