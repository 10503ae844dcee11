//! [`StateBackend`]: where the engine keeps what it must remember between
//! cycles (policy state, guard clocks, intents, MIG rollouts, the cycle
//! count) and records each cycle. A host that runs alone keeps all of it in
//! its [`Store`]; replicas keep the shared part in etcd, under the leader's
//! fence, and the audit log in their own store
//! ([`crate::ha::SharedStore`]). Every call returns once what it wrote is
//! durable, so the engine calls the writes off the async runtime.

use super::{AuditRecord, CycleState, Intent, RecordedInputs, Store, StoreError};
use crate::actuators::mig::rollouts::SavedRollouts;
use crate::guard::GuardClocks;
use crate::ha::HaError;
use crate::runtime::PolicyState;

/// Why the state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Local(#[from] StoreError),
    #[error("shared state: {source}")]
    Shared {
        #[from]
        source: HaError,
    },
}

/// What the engine keeps between cycles, and its audit log. The crash-safe
/// protocol of [`crate::store`] holds for every implementation.
pub trait StateBackend: Send + Sync {
    /// The number for the next cycle.
    fn next_cycle(&self) -> Result<u64, StateError>;
    /// The state policy `policy` left; empty when it has none.
    fn load_policy_state(&self, policy: &str) -> Result<PolicyState, StateError>;
    /// The guard clocks last saved; fresh ones when none were.
    fn load_clocks(&self) -> Result<GuardClocks, StateError>;
    /// The MIG rollouts in progress when last saved.
    fn load_mig_rollouts(&self) -> Result<SavedRollouts, StateError>;
    /// Save the MIG rollouts in progress, before their next step.
    fn save_mig_rollouts(&self, rollouts: &SavedRollouts) -> Result<(), StateError>;
    /// Commit `intent`, and the state it came from, before applying it.
    fn write_intent(&self, intent: &Intent, state: &CycleState<'_>) -> Result<(), StateError>;
    /// Record the cycle, keep the state it leaves, and drop its intent.
    fn complete_cycle(
        &self,
        record: &AuditRecord,
        inputs: Option<&RecordedInputs>,
        state: &CycleState<'_>,
    ) -> Result<(), StateError>;
    /// Intents of cycles that never completed, oldest first.
    fn incomplete_intents(&self) -> Result<Vec<Intent>, StateError>;
    /// Record an interrupted cycle from its intent, with `note`, and drop it.
    fn close_interrupted(&self, intent: &Intent, note: &str) -> Result<(), StateError>;
}

impl StateBackend for Store {
    fn next_cycle(&self) -> Result<u64, StateError> {
        Ok(Store::next_cycle(self)?)
    }

    fn load_policy_state(&self, policy: &str) -> Result<PolicyState, StateError> {
        Ok(Store::load_policy_state(self, policy)?)
    }

    fn load_clocks(&self) -> Result<GuardClocks, StateError> {
        Ok(Store::load_clocks(self)?)
    }

    fn load_mig_rollouts(&self) -> Result<SavedRollouts, StateError> {
        Ok(Store::load_mig_rollouts(self)?)
    }

    fn save_mig_rollouts(&self, rollouts: &SavedRollouts) -> Result<(), StateError> {
        Ok(Store::save_mig_rollouts(self, rollouts)?)
    }

    fn write_intent(&self, intent: &Intent, state: &CycleState<'_>) -> Result<(), StateError> {
        Ok(Store::write_intent(self, intent, state)?)
    }

    fn complete_cycle(
        &self,
        record: &AuditRecord,
        inputs: Option<&RecordedInputs>,
        state: &CycleState<'_>,
    ) -> Result<(), StateError> {
        Ok(Store::complete_cycle(self, record, inputs, state)?)
    }

    fn incomplete_intents(&self) -> Result<Vec<Intent>, StateError> {
        Ok(Store::incomplete_intents(self)?)
    }

    fn close_interrupted(&self, intent: &Intent, note: &str) -> Result<(), StateError> {
        Ok(Store::close_interrupted(self, intent, note)?)
    }
}
