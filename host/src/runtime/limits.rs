//! Per-policy resource limits and the memory limiter that enforces them inside
//! a store, remembering when a policy hit its cap so the failure is reported
//! as out-of-memory rather than as whatever trap followed.

use std::time::Duration;

/// Limits one policy runs under; every evaluation gets all of them afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock budget for one evaluation: the policy's whole turn,
    /// instantiate, configure, decide, and the host's checks of the output.
    /// The guest's code is interrupted one epoch tick (10 ms) before it, so
    /// the host's share fits.
    pub deadline: Duration,
    /// Most linear memory the policy's instance may hold, in bytes.
    pub memory_bytes: u64,
    /// Most bytes (keys plus values) the policy may keep in its state.
    pub state_quota_bytes: u64,
}

impl Limits {
    /// Largest memory cap an operator may set.
    pub const MAX_MEMORY_BYTES: u64 = 1 << 30;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline: Duration::from_millis(100),
            memory_bytes: 64 << 20,
            state_quota_bytes: 1 << 20,
        }
    }
}

/// Refuses memory and table growth past the cap, and records that it did.
#[derive(Debug)]
pub(crate) struct MemoryLimiter {
    memory_cap: usize,
    pub(crate) hit: bool,
}

/// Most elements a policy's tables may hold.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

impl MemoryLimiter {
    pub(crate) fn new(memory_bytes: u64) -> Self {
        MemoryLimiter {
            memory_cap: usize::try_from(memory_bytes).unwrap_or(usize::MAX),
            hit: false,
        }
    }
}

impl wasmtime::ResourceLimiter for MemoryLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.memory_cap;
        self.hit |= !allowed;
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= MAX_TABLE_ELEMENTS;
        self.hit |= !allowed;
        Ok(allowed)
    }
}
