//! `fulcrum:policy/log`: a policy's messages go to the host's log, tagged
//! with the policy's name, bounded in size, number and total bytes per
//! evaluation; what is dropped or cut is counted. (The text log's formatter
//! neutralises control characters in them, as in every field.) Served at
//! both contract versions; a 0.2.0 level is the same case of the same enum.

use std::sync::Arc;

use crate::wit::current::log::{Host, Level};
use crate::wit::v0_2::log as log_v0_2;

use super::EvalState;

use crate::runtime::text;

/// Longest message kept, in bytes; longer ones are cut at a character boundary.
pub const MAX_MESSAGE_BYTES: usize = 1024;
/// Most messages one evaluation may write.
pub const MAX_MESSAGES: u32 = 32;
/// Most bytes of messages one evaluation may write; later messages are dropped.
pub const MAX_MESSAGE_BYTES_PER_EVALUATION: usize = 8 * 1024;

/// Counts and forwards one evaluation's log messages.
pub(crate) struct LogSink {
    policy: Arc<str>,
    written: u32,
    written_bytes: usize,
    pub(crate) dropped: u32,
    pub(crate) truncated: u32,
}

impl LogSink {
    pub(crate) fn new(policy: Arc<str>) -> Self {
        LogSink {
            policy,
            written: 0,
            written_bytes: 0,
            dropped: 0,
            truncated: 0,
        }
    }

    fn write(&mut self, level: Level, message: &str) {
        let full_len = message.len();
        let message = text::prefix(message, MAX_MESSAGE_BYTES);
        if self.written >= MAX_MESSAGES
            || self.written_bytes + message.len() > MAX_MESSAGE_BYTES_PER_EVALUATION
        {
            self.dropped = self.dropped.saturating_add(1);
            return;
        }
        if message.len() < full_len {
            self.truncated += 1;
        }
        self.written += 1;
        self.written_bytes += message.len();
        let policy = &*self.policy;
        match level {
            Level::Trace => tracing::trace!(target: "policy", policy, "{message}"),
            Level::Debug => tracing::debug!(target: "policy", policy, "{message}"),
            Level::Info => tracing::info!(target: "policy", policy, "{message}"),
            Level::Warn => tracing::warn!(target: "policy", policy, "{message}"),
            Level::Error => tracing::error!(target: "policy", policy, "{message}"),
        }
    }
}

impl Host for EvalState {
    fn log(&mut self, level: Level, message: String) {
        self.log.write(level, &message);
    }
}

impl log_v0_2::Host for EvalState {
    fn log(&mut self, level: log_v0_2::Level, message: String) {
        let level = match level {
            log_v0_2::Level::Trace => Level::Trace,
            log_v0_2::Level::Debug => Level::Debug,
            log_v0_2::Level::Info => Level::Info,
            log_v0_2::Level::Warn => Level::Warn,
            log_v0_2::Level::Error => Level::Error,
        };
        self.log.write(level, &message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_past_the_bound_are_dropped_and_counted() {
        let mut sink = LogSink::new("p".into());
        for _ in 0..MAX_MESSAGES + 5 {
            sink.write(Level::Trace, "x");
        }
        assert_eq!(sink.dropped, 5);
    }

    #[test]
    fn long_messages_are_cut_and_the_byte_budget_drops_the_rest() {
        let mut sink = LogSink::new("p".into());
        let long = "x".repeat(MAX_MESSAGE_BYTES * 4);
        for _ in 0..MAX_MESSAGES {
            sink.write(Level::Trace, &long);
        }
        let kept = (MAX_MESSAGE_BYTES_PER_EVALUATION / MAX_MESSAGE_BYTES) as u32;
        assert_eq!(sink.truncated, kept);
        assert_eq!(sink.dropped, MAX_MESSAGES - kept);
    }
}
