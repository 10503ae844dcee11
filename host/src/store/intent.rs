//! An intent: the changes of one cycle, written durably before any of them
//! is applied, and removed in the same transaction that writes the cycle's
//! audit record. An intent still present when the store opens belongs to a
//! cycle the host did not finish.

use serde::{Deserialize, Serialize};

use crate::plan::PlannedChange;

/// The changes one cycle is about to apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub cycle: u64,
    /// When the cycle started, in ms since the Unix epoch.
    pub at_ms: u64,
    /// Digest of the snapshot the changes were planned from.
    pub inputs_digest: String,
    pub planned: Vec<PlannedChange>,
    /// The replica applying it, when replicas share the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

/// What was last applied to one target, kept across restarts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LastApplied {
    pub cycle: u64,
    pub at_ms: u64,
    pub change: PlannedChange,
}

/// The key of a change's target in the last-applied table: `kind target`.
pub(super) fn target_key(change: &PlannedChange) -> String {
    format!("{} {}", change.change.kind(), change.change.target())
}
