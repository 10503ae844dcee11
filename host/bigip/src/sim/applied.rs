//! The log of writes the simulated device applied, in order: each committed
//! transaction's commands and each direct write, with its method, path and
//! body. Tests read it to see every change that reached the device, and
//! that none reached it twice.

use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use serde_json::Value;

/// One write the device applied.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AppliedWrite {
    /// `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The request path, `/mgmt/tm/ltm/...`.
    pub path: String,
    /// The request body; `{}` when it had none.
    pub body: Value,
}

/// Every write applied so far.
#[derive(Debug, Default)]
pub(crate) struct AppliedLog(Mutex<Vec<AppliedWrite>>);

impl AppliedLog {
    pub(crate) fn push(&self, write: AppliedWrite) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(write);
    }

    pub(crate) fn all(&self) -> Vec<AppliedWrite> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
