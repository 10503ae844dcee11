//! `fulcrum:policy/state`: the policy's key-value state, through the
//! evaluation's transaction so a failed evaluation writes nothing.

use crate::runtime::state_store::StateWriteError;
use crate::wit::state::{Host, StateError};

use super::EvalState;

impl Host for EvalState {
    fn get(&mut self, key: String) -> Option<Vec<u8>> {
        self.state.get(&key)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), StateError> {
        self.state.set(key, value).map_err(|err| match err {
            StateWriteError::InvalidKey => StateError::InvalidKey,
            StateWriteError::QuotaExceeded(quota) => StateError::QuotaExceeded(quota),
        })
    }

    fn delete(&mut self, key: String) {
        self.state.delete(&key);
    }
}
