//! Request counters: what the simulator has seen, by class, kept as atomics so that counting
//! never takes the configuration lock.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

/// Requests seen, by class. Writes are every non-GET under `/mgmt/tm` (queued commands and
/// transaction calls included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Every request under `/mgmt`.
    pub requests: u64,
    /// GETs under `/mgmt/tm`.
    pub reads: u64,
    /// Non-GET requests under `/mgmt/tm`.
    pub writes: u64,
    /// Transactions committed successfully.
    pub transactions: u64,
    /// Token logins.
    pub logins: u64,
    /// Requests answered or dropped by an injected fault.
    pub faults: u64,
}

#[derive(Debug, Default)]
pub(crate) struct AtomicCounters {
    pub requests: AtomicU64,
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub transactions: AtomicU64,
    pub logins: AtomicU64,
    pub faults: AtomicU64,
}

impl AtomicCounters {
    pub fn snapshot(&self) -> Counters {
        let read = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            requests: read(&self.requests),
            reads: read(&self.reads),
            writes: read(&self.writes),
            transactions: read(&self.transactions),
            logins: read(&self.logins),
            faults: read(&self.faults),
        }
    }

    pub fn reset(&self) {
        for counter in [
            &self.requests,
            &self.reads,
            &self.writes,
            &self.transactions,
            &self.logins,
            &self.faults,
        ] {
            counter.store(0, Ordering::Relaxed);
        }
    }
}
