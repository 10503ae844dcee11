//! The host's durable memory: one embedded, crash-safe database file (redb:
//! ACID transactions, copy-on-write, a commit is durable when it returns)
//! holding each policy's key-value state, the guard clocks, what was last
//! applied to each target, the intents of cycles being applied, and the
//! append-only audit log. One process writes the file ([`Store`]); others
//! may read its audit log meanwhile ([`AuditReader`]), following its commits.
//!
//! # Applying a cycle, crash-safely
//!
//! The requirement: kill the host in the middle of applying, restart it, and
//! no change is applied twice, none is lost, and the audit log is intact.
//!
//! 1. Before applying anything, [`Store::write_intent`] commits the cycle's
//!    planned changes (and the policy state and clocks they came from).
//! 2. The actuators apply the changes. They are idempotent: every change
//!    sets an absolute value the plan found different from the one observed
//!    this cycle (BIG-IP patches those fields to their values, GCE resizes to
//!    an absolute size with a request id).
//! 3. [`Store::complete_cycle`] commits, in one transaction, the audit record,
//!    the last-applied value of every change that succeeded, the state and
//!    clocks, and removes the intent. A cycle with nothing to apply skips
//!    step 1 and only does this.
//!
//! A kill before step 1 commits loses nothing: the cycle never happened. A
//! kill after it leaves the intent: on start, [`Store::incomplete_intents`]
//! lists it, and the engine does not replay it. It re-reads the observed
//! state, which shows whatever part was applied, and plans the next cycle
//! from it, so an applied change is seen as already holding (never applied
//! twice) and a missing one is planned again if the policies still want it
//! (never lost). [`Store::close_interrupted`] then writes the interrupted
//! cycle's audit record from its intent and removes the intent. A kill
//! during any commit leaves the previous committed state: the audit log only
//! ever holds whole records.
//!
//! Replicas keep the same protocol with the shared part in etcd
//! ([`StateBackend`], [`crate::ha::SharedStore`]).
//!
//! # Retention
//!
//! Records are only ever appended, never rewritten. With a retention set
//! ([`Store::with_audit_retention`]), each append also drops the oldest
//! records that have aged past it, a bounded number per commit, so a log
//! written every few seconds by a large fleet stays a bounded size.

mod audit;
mod backend;
mod intent;
mod recording;
mod tables;
#[cfg(test)]
mod tests;

pub use audit::{
    AppliedRecord, AuditRecord, CycleOutcome, DecisionRecord, HeldBackRecord, PolicyRecord,
    RejectionRecord, ShadowRecord, SinceError, inputs_digest, parse_since, print_audit, render,
    snapshot_json,
};
pub use backend::{StateBackend, StateError};
pub use intent::{Intent, LastApplied};
pub use recording::{RecordedInputs, Recording};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use redb::{
    ConcurrencyMode, Database, ReadOnlyDatabase, ReadableDatabase, ReadableTable, WriteTransaction,
};

use crate::actuators::mig::rollouts::SavedRollouts;
use crate::guard::GuardClocks;
use crate::runtime::PolicyState;
use intent::target_key;
use tables::{
    AUDIT, CLOCKS_KEY, INTENTS, LAST_APPLIED, META, MIG_ROLLOUTS_KEY, POLICY_STATE, RECORDINGS,
    decode, encode, encode_audit, unpack,
};

/// The store's file name in a state directory (`engine.state_dir`).
pub const STORE_FILE: &str = "fulcrum.redb";

/// Why the store could not do what was asked; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: cannot open the state store: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: Box<redb::DatabaseError>,
    },
    #[error("{path}: {operation} failed: {source}")]
    Database {
        path: PathBuf,
        operation: &'static str,
        #[source]
        source: Box<redb::Error>,
    },
    #[error("{path}: table {table}, key {key}: the stored record does not decode: {source}")]
    Decode {
        path: PathBuf,
        table: &'static str,
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("{path}: the audit log already holds cycle {cycle}; it is append-only")]
    AuditExists { path: PathBuf, cycle: u64 },
}

/// What a cycle leaves for the next: every policy's state, and the guard
/// clocks when the cycle applied its changes (`None` keeps the stored ones).
#[derive(Clone, Copy)]
pub struct CycleState<'a> {
    pub policies: &'a [(&'a str, &'a PolicyState)],
    pub clocks: Option<&'a GuardClocks>,
}

/// The open store. One process writes to a file at a time (a second
/// [`Store::open`] of it fails); any number may read it meanwhile through
/// [`AuditReader`].
pub struct Store {
    db: Database,
    path: PathBuf,
    audit_retention: Option<Duration>,
    /// The oldest audit record retention last found too young to drop, as
    /// (cycle, `at_ms`): records are never rewritten, so while it is still
    /// the oldest, retention need not read it again.
    oldest_kept: Mutex<Option<(u64, u64)>>,
    /// Each policy's state as the file holds it, once this store has read or
    /// written it: a save then writes only the keys that changed.
    saved_states: Mutex<BTreeMap<String, PolicyState>>,
}

/// Most aged audit records one commit drops: a backlog (a retention just
/// shortened, a host back after a long stop) is worked off over the next
/// cycles instead of in one long commit.
const PRUNE_PER_COMMIT: usize = 64;

/// How a store's file is shared: one writer, readers in other processes
/// following its commits.
const SHARING: ConcurrencyMode = ConcurrencyMode::SingleWriter;

/// Reads the audit log of a store, while its host runs or not.
pub struct AuditReader {
    db: ReadOnlyDatabase,
    path: PathBuf,
}

impl AuditReader {
    /// Open the store at `path` to read, never to write.
    pub fn open(path: &Path) -> Result<AuditReader, StoreError> {
        let db = Database::builder()
            .set_concurrency_mode(SHARING)
            .open_read_only(path)
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source: Box::new(source),
            })?;
        Ok(AuditReader {
            db,
            path: path.to_owned(),
        })
    }
}

/// Where audit records can be read from: the store itself, or a reader beside it.
pub trait ReadAudit {
    /// Audit records from `since_ms` on (all with `None`), oldest first.
    fn audit_since(&self, since_ms: Option<u64>) -> Result<Vec<AuditRecord>, StoreError>;
    /// What cycle `cycle` decided from, when it was recorded.
    fn recording(&self, cycle: u64) -> Result<Option<Recording>, StoreError>;
    /// The newest cycle with a recording.
    fn newest_recorded(&self) -> Result<Option<u64>, StoreError>;
}

impl ReadAudit for Store {
    fn audit_since(&self, since_ms: Option<u64>) -> Result<Vec<AuditRecord>, StoreError> {
        read_audit(&self.db, &self.path, since_ms)
    }

    fn recording(&self, cycle: u64) -> Result<Option<Recording>, StoreError> {
        recording::read(&self.db, &self.path, cycle)
    }

    fn newest_recorded(&self) -> Result<Option<u64>, StoreError> {
        recording::newest(&self.db, &self.path)
    }
}

impl ReadAudit for AuditReader {
    fn audit_since(&self, since_ms: Option<u64>) -> Result<Vec<AuditRecord>, StoreError> {
        read_audit(&self.db, &self.path, since_ms)
    }

    fn recording(&self, cycle: u64) -> Result<Option<Recording>, StoreError> {
        recording::read(&self.db, &self.path, cycle)
    }

    fn newest_recorded(&self) -> Result<Option<u64>, StoreError> {
        recording::newest(&self.db, &self.path)
    }
}

/// Records are appended in time order, so reading stops at the first older one.
fn read_audit(
    db: &impl ReadableDatabase,
    path: &Path,
    since_ms: Option<u64>,
) -> Result<Vec<AuditRecord>, StoreError> {
    let op = "reading the audit log";
    let db_err = |source: redb::Error| StoreError::Database {
        path: path.to_owned(),
        operation: op,
        source: Box::new(source),
    };
    let txn = db.begin_read().map_err(|e| db_err(e.into()))?;
    let table = txn.open_table(AUDIT).map_err(|e| db_err(e.into()))?;
    let mut records = Vec::new();
    for entry in table.iter().map_err(|e| db_err(e.into()))?.rev() {
        let (cycle, value) = entry.map_err(|e| db_err(e.into()))?;
        let record: AuditRecord = unpack(value.value()).map_err(|source| StoreError::Decode {
            path: path.to_owned(),
            table: "audit",
            key: cycle.value().to_string(),
            source,
        })?;
        if since_ms.is_some_and(|since| record.at_ms < since) {
            break;
        }
        records.push(record);
    }
    records.reverse();
    Ok(records)
}

impl Store {
    /// Open the store at `path`, creating the file and its tables if needed.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let db = Database::builder()
            .set_concurrency_mode(SHARING)
            .create(path)
            .map_err(|source| StoreError::Open {
                path: path.to_owned(),
                source: Box::new(source),
            })?;
        let store = Store {
            db,
            path: path.to_owned(),
            audit_retention: None,
            oldest_kept: Mutex::new(None),
            saved_states: Mutex::new(BTreeMap::new()),
        };
        let txn = store.begin_write()?;
        {
            let op = "creating the tables";
            txn.open_table(POLICY_STATE).map_err(store.db_err(op))?;
            txn.open_table(META).map_err(store.db_err(op))?;
            txn.open_table(LAST_APPLIED).map_err(store.db_err(op))?;
            txn.open_table(AUDIT).map_err(store.db_err(op))?;
            txn.open_table(INTENTS).map_err(store.db_err(op))?;
            txn.open_table(RECORDINGS).map_err(store.db_err(op))?;
        }
        txn.commit().map_err(store.db_err("creating the tables"))?;
        Ok(store)
    }

    /// Keep audit records for `retention` after their cycle, measured from
    /// the time of the newest record; without it, every record is kept.
    pub fn with_audit_retention(mut self, retention: Duration) -> Store {
        self.audit_retention = Some(retention);
        self
    }

    /// The number for the next cycle: one past the highest cycle audited or intended.
    pub fn next_cycle(&self) -> Result<u64, StoreError> {
        let op = "reading the last cycle";
        let txn = self.db.begin_read().map_err(self.db_err(op))?;
        let mut last = 0;
        for table in [AUDIT, INTENTS] {
            let table = txn.open_table(table).map_err(self.db_err(op))?;
            if let Some((cycle, _)) = table.last().map_err(self.db_err(op))? {
                last = last.max(cycle.value());
            }
        }
        Ok(last + 1)
    }

    /// The state policy `policy` left; empty when it has none.
    pub fn load_policy_state(&self, policy: &str) -> Result<PolicyState, StoreError> {
        let op = "reading policy state";
        let txn = self.db.begin_read().map_err(self.db_err(op))?;
        let table = txn.open_table(POLICY_STATE).map_err(self.db_err(op))?;
        let mut entries = BTreeMap::new();
        for entry in table.range((policy, "")..).map_err(self.db_err(op))? {
            let (key, value) = entry.map_err(self.db_err(op))?;
            let (owner, key) = key.value();
            if owner != policy {
                break;
            }
            entries.insert(key.to_owned(), value.value().to_vec());
        }
        let state = PolicyState::from_entries(entries);
        self.saved_states
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(policy.to_owned(), state.clone());
        Ok(state)
    }

    /// The guard clocks last saved; fresh ones when none were.
    pub fn load_clocks(&self) -> Result<GuardClocks, StoreError> {
        self.load_meta(CLOCKS_KEY, "reading the guard clocks")
    }

    /// The MIG rollouts in progress when last saved; none when none were.
    pub fn load_mig_rollouts(&self) -> Result<SavedRollouts, StoreError> {
        self.load_meta(MIG_ROLLOUTS_KEY, "reading the MIG rollouts")
    }

    /// Save the MIG rollouts in progress, durably, before the next step.
    pub fn save_mig_rollouts(&self, rollouts: &SavedRollouts) -> Result<(), StoreError> {
        let op = "saving the MIG rollouts";
        let txn = self.begin_write()?;
        txn.open_table(META)
            .map_err(self.db_err(op))?
            .insert(MIG_ROLLOUTS_KEY, encode(rollouts).as_slice())
            .map_err(self.db_err(op))?;
        txn.commit().map_err(self.db_err(op))
    }

    /// The value under `key` in the meta table; the default when absent.
    fn load_meta<T: serde::de::DeserializeOwned + Default>(
        &self,
        key: &'static str,
        op: &'static str,
    ) -> Result<T, StoreError> {
        let txn = self.db.begin_read().map_err(self.db_err(op))?;
        let table = txn.open_table(META).map_err(self.db_err(op))?;
        match table.get(key).map_err(self.db_err(op))? {
            Some(bytes) => decode(bytes.value()).map_err(self.decode_err("meta", key)),
            None => Ok(T::default()),
        }
    }

    /// What was last applied to every target, by `kind target`.
    pub fn last_applied(&self) -> Result<BTreeMap<String, LastApplied>, StoreError> {
        let op = "reading the last-applied values";
        let txn = self.db.begin_read().map_err(self.db_err(op))?;
        let table = txn.open_table(LAST_APPLIED).map_err(self.db_err(op))?;
        let mut applied = BTreeMap::new();
        for entry in table.iter().map_err(self.db_err(op))? {
            let (key, value) = entry.map_err(self.db_err(op))?;
            let record =
                decode(value.value()).map_err(self.decode_err("last_applied", key.value()))?;
            applied.insert(key.value().to_owned(), record);
        }
        Ok(applied)
    }

    /// Step 1: commit `intent` before applying any of its changes.
    pub fn write_intent(&self, intent: &Intent, state: &CycleState<'_>) -> Result<(), StoreError> {
        let op = "writing the intent";
        let txn = self.begin_write()?;
        {
            let mut intents = txn.open_table(INTENTS).map_err(self.db_err(op))?;
            intents
                .insert(intent.cycle, encode(intent).as_slice())
                .map_err(self.db_err(op))?;
        }
        self.save_state(&txn, state)?;
        txn.commit().map_err(self.db_err(op))?;
        self.remember_saved(state);
        Ok(())
    }

    /// Step 3: append the cycle's audit record (with `inputs`, what it
    /// decided from, when given), note what was applied, keep the state, and
    /// drop the cycle's intent, all in one transaction.
    pub fn complete_cycle(
        &self,
        record: &AuditRecord,
        inputs: Option<&RecordedInputs>,
        state: &CycleState<'_>,
    ) -> Result<(), StoreError> {
        let op = "completing the cycle";
        let txn = self.begin_write()?;
        self.append_audit(&txn, record)?;
        if let Some(inputs) = inputs {
            txn.open_table(RECORDINGS)
                .map_err(self.db_err(op))?
                .insert(record.cycle, inputs.packed.as_slice())
                .map_err(self.db_err(op))?;
        }
        {
            let mut last = txn.open_table(LAST_APPLIED).map_err(self.db_err(op))?;
            for applied in record.applied.iter().filter(|a| a.error.is_none()) {
                let value = LastApplied {
                    cycle: record.cycle,
                    at_ms: record.at_ms,
                    change: applied.change.clone(),
                };
                last.insert(
                    target_key(&applied.change).as_str(),
                    encode(&value).as_slice(),
                )
                .map_err(self.db_err(op))?;
            }
            let mut intents = txn.open_table(INTENTS).map_err(self.db_err(op))?;
            intents.remove(record.cycle).map_err(self.db_err(op))?;
        }
        self.save_state(&txn, state)?;
        txn.commit().map_err(self.db_err(op))?;
        self.remember_saved(state);
        Ok(())
    }

    /// Intents of cycles that never completed, oldest first.
    pub fn incomplete_intents(&self) -> Result<Vec<Intent>, StoreError> {
        let op = "reading intents";
        let txn = self.db.begin_read().map_err(self.db_err(op))?;
        let table = txn.open_table(INTENTS).map_err(self.db_err(op))?;
        let mut intents = Vec::new();
        for entry in table.iter().map_err(self.db_err(op))? {
            let (cycle, value) = entry.map_err(self.db_err(op))?;
            intents.push(
                decode(value.value())
                    .map_err(self.decode_err("intents", &cycle.value().to_string()))?,
            );
        }
        Ok(intents)
    }

    /// Close an interrupted cycle once the engine has re-read the observed
    /// state: its audit record (outcome `interrupted`, the planned changes,
    /// `note` as its error) replaces the intent.
    pub fn close_interrupted(&self, intent: &Intent, note: &str) -> Result<(), StoreError> {
        let op = "closing an interrupted cycle";
        let record = AuditRecord {
            cycle: intent.cycle,
            at_ms: intent.at_ms,
            inputs_digest: intent.inputs_digest.clone(),
            outcome: CycleOutcome::Interrupted,
            policies: Vec::new(),
            rejections: Vec::new(),
            held_back: Vec::new(),
            planned: intent.planned.clone(),
            applied: Vec::new(),
            errors: vec![note.to_owned()],
            shadows: Vec::new(),
            replica: intent.replica.clone(),
        };
        let txn = self.begin_write()?;
        self.append_audit(&txn, &record)?;
        txn.open_table(INTENTS)
            .map_err(self.db_err(op))?
            .remove(intent.cycle)
            .map_err(self.db_err(op))?;
        txn.commit().map_err(self.db_err(op))
    }

    fn begin_write(&self) -> Result<WriteTransaction, StoreError> {
        self.db
            .begin_write()
            .map_err(self.db_err("starting a write"))
    }

    fn append_audit(&self, txn: &WriteTransaction, record: &AuditRecord) -> Result<(), StoreError> {
        let op = "appending to the audit log";
        let mut audit = txn.open_table(AUDIT).map_err(self.db_err(op))?;
        if audit.get(record.cycle).map_err(self.db_err(op))?.is_some() {
            return Err(StoreError::AuditExists {
                path: self.path.clone(),
                cycle: record.cycle,
            });
        }
        audit
            .insert(record.cycle, encode_audit(record).as_slice())
            .map_err(self.db_err(op))?;
        if let Some(retention) = self.audit_retention {
            let oldest_kept_ms = record.at_ms.saturating_sub(retention.as_millis() as u64);
            let mut recordings = txn.open_table(RECORDINGS).map_err(self.db_err(op))?;
            self.drop_aged(&mut audit, &mut recordings, record.cycle, oldest_kept_ms)?;
        }
        Ok(())
    }

    /// Drop audit records from before `oldest_kept_ms`, with their
    /// recordings, oldest first, at most [`PRUNE_PER_COMMIT`] of them.
    fn drop_aged(
        &self,
        audit: &mut redb::Table<'_, u64, &[u8]>,
        recordings: &mut redb::Table<'_, u64, &[u8]>,
        appended: u64,
        oldest_kept_ms: u64,
    ) -> Result<(), StoreError> {
        /// The one field retention reads.
        #[derive(serde::Deserialize)]
        struct RecordTime {
            at_ms: u64,
        }
        let op = "dropping aged audit records";
        let mut oldest_kept = self
            .oldest_kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for _ in 0..PRUNE_PER_COMMIT {
            let (cycle, at_ms) = match audit.first().map_err(self.db_err(op))? {
                None => return Ok(()),
                Some((cycle, value)) => {
                    let cycle = cycle.value();
                    // Only the record this commit appends is left: the newest.
                    if cycle == appended {
                        return Ok(());
                    }
                    let at_ms = match *oldest_kept {
                        Some((known, at_ms)) if known == cycle => Ok(at_ms),
                        _ => unpack::<RecordTime>(value.value()).map(|time| time.at_ms),
                    };
                    (cycle, at_ms)
                }
            };
            let at_ms = at_ms.map_err(self.decode_err("audit", &cycle.to_string()))?;
            if at_ms >= oldest_kept_ms {
                // Committed before, and kept: still there whether this commit
                // succeeds or not.
                *oldest_kept = Some((cycle, at_ms));
                return Ok(());
            }
            audit.remove(cycle).map_err(self.db_err(op))?;
            recordings.remove(cycle).map_err(self.db_err(op))?;
        }
        Ok(())
    }

    /// Note what a committed transaction saved, so the next save writes
    /// only the difference.
    fn remember_saved(&self, state: &CycleState<'_>) {
        let mut saved = self
            .saved_states
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for &(policy, policy_state) in state.policies {
            saved.insert(policy.to_owned(), policy_state.clone());
        }
    }

    fn save_state(&self, txn: &WriteTransaction, state: &CycleState<'_>) -> Result<(), StoreError> {
        let op = "saving policy state";
        let mut table = txn.open_table(POLICY_STATE).map_err(self.db_err(op))?;
        let saved = self
            .saved_states
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for &(policy, policy_state) in state.policies {
            // What the file holds is known: write only what changed since.
            if let Some(earlier) = saved.get(policy) {
                for (key, value) in policy_state.changes_since(earlier) {
                    match value {
                        Some(value) => table.insert((policy, key), value).map(drop),
                        None => table.remove((policy, key)).map(drop),
                    }
                    .map_err(self.db_err(op))?;
                }
                continue;
            }
            let mut stale = Vec::new();
            for entry in table.range((policy, "")..).map_err(self.db_err(op))? {
                let (key, _) = entry.map_err(self.db_err(op))?;
                let (owner, key) = key.value();
                if owner != policy {
                    break;
                }
                if policy_state.get(key).is_none() {
                    stale.push(key.to_owned());
                }
            }
            for key in stale {
                table
                    .remove((policy, key.as_str()))
                    .map_err(self.db_err(op))?;
            }
            for (key, value) in policy_state.iter() {
                table
                    .insert((policy, key), value)
                    .map_err(self.db_err(op))?;
            }
        }
        if let Some(clocks) = state.clocks {
            txn.open_table(META)
                .map_err(self.db_err("saving the guard clocks"))?
                .insert(CLOCKS_KEY, encode(clocks).as_slice())
                .map_err(self.db_err("saving the guard clocks"))?;
        }
        Ok(())
    }

    fn db_err<E: Into<redb::Error>>(
        &self,
        operation: &'static str,
    ) -> impl FnOnce(E) -> StoreError + '_ {
        move |source| StoreError::Database {
            path: self.path.clone(),
            operation,
            source: Box::new(source.into()),
        }
    }

    fn decode_err<'a>(
        &'a self,
        table: &'static str,
        key: &'a str,
    ) -> impl FnOnce(serde_json::Error) -> StoreError + 'a {
        move |source| StoreError::Decode {
            path: self.path.clone(),
            table,
            key: key.to_owned(),
            source,
        }
    }
}
