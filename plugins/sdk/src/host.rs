//! [`Host`]: what a policy may ask of the host while deciding.
//!
//! The host offers two interfaces (`wit/types.wit`): `log`, messages to the
//! host's log tagged with the policy's name, and `state`, a small key-value store
//! private to the policy that survives between evaluations. Policies take a
//! `&mut dyn Host` so the same code runs against the real imports
//! ([`WasmHost`]) and against an in-memory stand-in in native tests
//! ([`MemoryHost`](crate::testing::MemoryHost)).

use crate::bindings::fulcrum::policy::{log, state};
use crate::{Level, StateError};

/// The host services a policy can call during `decide`.
pub trait Host {
    /// Write one message to the host's log. The host truncates messages over
    /// 4 KiB and keeps at most 256 messages per evaluation.
    fn log(&mut self, level: Level, message: &str);

    /// The value stored under `key`, if any.
    fn state_get(&mut self, key: &str) -> Option<Vec<u8>>;

    /// Store `value` under `key`, replacing any earlier value. Keys are 1..=256
    /// bytes; the policy's keys and values together must fit its quota (1 MiB
    /// unless the operator set another). Writes take effect only if the
    /// evaluation succeeds.
    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError>;

    /// Remove `key`; removing an absent key is not an error.
    fn state_delete(&mut self, key: &str);
}

/// The [`Host`] backed by the component's imports.
///
/// Only meaningful inside a component (`wasm32`): on other targets the imports
/// are stubs and every call panics. [`export_policy!`](crate::export_policy)
/// hands one to [`Policy::decide`](crate::Policy::decide).
#[derive(Clone, Copy, Debug, Default)]
pub struct WasmHost;

impl Host for WasmHost {
    fn log(&mut self, level: Level, message: &str) {
        log::log(level, message);
    }

    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        state::get(key)
    }

    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError> {
        state::set(key, value)
    }

    fn state_delete(&mut self, key: &str) {
        state::delete(key);
    }
}
