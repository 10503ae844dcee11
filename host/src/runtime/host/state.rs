//! `fulcrum:policy/state`: the policy's key-value state, through the
//! evaluation's transaction so a failed evaluation writes nothing. Served at
//! both contract versions, which declare it alike.

use crate::runtime::state_store::StateWriteError;
use crate::wit::current::state::{Host, StateError};
use crate::wit::v0_2::state as state_v0_2;

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

impl state_v0_2::Host for EvalState {
    fn get(&mut self, key: String) -> Option<Vec<u8>> {
        self.state.get(&key)
    }

    fn set(&mut self, key: String, value: Vec<u8>) -> Result<(), state_v0_2::StateError> {
        self.state.set(key, value).map_err(|err| match err {
            StateWriteError::InvalidKey => state_v0_2::StateError::InvalidKey,
            StateWriteError::QuotaExceeded(quota) => state_v0_2::StateError::QuotaExceeded(quota),
        })
    }

    fn delete(&mut self, key: String) {
        self.state.delete(&key);
    }
}
