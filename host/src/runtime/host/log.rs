//! `fulcrum:policy/log`: a policy's messages go to the host's log, tagged
//! with the policy's name, bounded in size and number per evaluation.

use std::sync::Arc;

use crate::wit::log::{Host, Level};

use super::EvalState;

/// Longest message kept, in bytes; longer ones are cut at a character boundary.
const MAX_MESSAGE_BYTES: usize = 4096;
/// Most messages one evaluation may write.
const MAX_MESSAGES: u32 = 256;

/// Counts and forwards one evaluation's log messages.
pub(crate) struct LogSink {
    policy: Arc<str>,
    written: u32,
    pub(crate) dropped: u32,
}

impl LogSink {
    pub(crate) fn new(policy: Arc<str>) -> Self {
        LogSink {
            policy,
            written: 0,
            dropped: 0,
        }
    }

    fn write(&mut self, level: Level, message: &str) {
        if self.written >= MAX_MESSAGES {
            self.dropped += 1;
            return;
        }
        self.written += 1;
        let message = truncate(message, MAX_MESSAGE_BYTES);
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

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Host for EvalState {
    fn log(&mut self, level: Level, message: String) {
        self.log.write(level, &message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_whole_characters() {
        assert_eq!(truncate("abc", 10), "abc");
        assert_eq!(truncate("aé", 2), "a");
    }

    #[test]
    fn messages_past_the_bound_are_dropped_and_counted() {
        let mut sink = LogSink::new("p".into());
        for _ in 0..MAX_MESSAGES + 5 {
            sink.write(Level::Trace, "x");
        }
        assert_eq!(sink.dropped, 5);
    }
}
