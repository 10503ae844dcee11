//! The state every connection shares: the credentials and options the simulator started
//! with, the built-in collections, the request counters and faults, and — under one lock, so that no read sees half a
//! transaction — the configuration, the live tokens and the open transactions.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use super::applied::AppliedLog;
use super::catalog::Catalog;
use super::faults::FaultState;
use super::state::Store;
use super::tokens::TokenRecord;
use super::transactions::PendingTransaction;
use super::{AtomicCounters, SimError, SimOptions};
use crate::path::FullPath;

/// Everything mutable, under one lock so that reads never see half a transaction.
pub(crate) struct Device {
    pub store: Store,
    pub tokens: HashMap<String, TokenRecord>,
    pub transactions: HashMap<u64, PendingTransaction>,
    pub next_transaction: u64,
}

/// State shared by every connection.
pub(crate) struct Shared {
    pub user: String,
    pub password: String,
    pub token_timeout_secs: u64,
    pub version: String,
    /// The built-in `net`, `sys` and `cm` collections.
    pub catalog: Catalog,
    device: Mutex<Device>,
    pub counters: AtomicCounters,
    pub faults: FaultState,
    /// Every write applied, in order.
    pub applied: AppliedLog,
}

impl Shared {
    pub(crate) fn new(store: Store, options: &SimOptions) -> Shared {
        Shared {
            user: options.user.clone(),
            password: options.password.clone(),
            token_timeout_secs: options.token_timeout_secs,
            version: options.version.clone(),
            catalog: Catalog::new(&options.version, options.topology.is_some()),
            device: Mutex::new(Device {
                store,
                tokens: HashMap::new(),
                transactions: HashMap::new(),
                next_transaction: 1_526_674_837_169_915,
            }),
            counters: AtomicCounters::default(),
            faults: FaultState::new(options.faults.clone()),
            applied: AppliedLog::default(),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Device> {
        self.device.lock().expect("simulator state lock poisoned")
    }

    pub(crate) fn set_member_load(
        &self,
        pool: &FullPath,
        member: &FullPath,
        healthy: Option<bool>,
        connections: Option<u64>,
    ) -> Result<(), SimError> {
        self.lock()
            .store
            .set_member_load(pool, member, healthy, connections)
            .map_err(|e| SimError::Model {
                what: format!("member {member} of pool {pool}"),
                status: e.status,
                message: e.message,
            })
    }
}
