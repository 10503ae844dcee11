//! Which failures are retried and how long to wait, following Google's client
//! rules: 5xx, 429, 403 `rateLimitExceeded`/`userRateLimitExceeded` and
//! connection failures are retried with full-jitter exponential backoff; 400,
//! 404, 412 and other 403s never are.

use std::time::Duration;

use rand::RngExt;

use crate::error::GceError;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; at least 1.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry; it doubles per retry.
    pub base_delay: Duration,
    /// No single wait exceeds this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Five attempts, 1 s doubling to at most 32 s, as Google's clients do.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(32),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0 for the first retry): a uniform
    /// random fraction of `min(max_delay, base_delay * 2^retry)`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        ceiling.mul_f64(rand::rng().random::<f64>())
    }
}

/// Whether Google's rules allow sending the same request again.
pub fn is_retryable(error: &GceError) -> bool {
    match error {
        GceError::Api { code, reason, .. } => match code {
            429 => true,
            403 => reason == "rateLimitExceeded" || reason == "userRateLimitExceeded",
            500..=599 => true,
            _ => false,
        },
        GceError::Transport { source, .. } => {
            source.is_connect() || source.is_timeout() || source.is_request()
        }
        _ => false,
    }
}
