//! Recorded cycles: the snapshot each applied cycle decided from, with the
//! guard rails its decisions were held to, kept beside the cycle's audit
//! record and dropped with it, so any past cycle can be read back exactly
//! (`host snapshot --cycle N --state-dir DIR`) and replayed against another
//! policy (`host replay`).

use std::path::Path;

use redb::{ReadOnlyTable, ReadableDatabase, ReadableTable, TableError};
use serde::Deserialize;

use super::StoreError;
use super::tables::{RECORDINGS, pack, unpack};
use crate::guard::GuardRails;
use crate::model::{Snapshot, snapshot_from_json};

/// A cycle's inputs, packed for the store. The snapshot's JSON is written
/// once per cycle, for its digest and its recording both.
pub struct RecordedInputs {
    pub(super) packed: Vec<u8>,
}

impl RecordedInputs {
    /// The recording of `snapshot_json` (the snapshot as `serde_json` writes
    /// it) held to `rails`.
    pub fn new(snapshot_json: &[u8], rails: &GuardRails) -> RecordedInputs {
        let rails = serde_json::to_vec(rails).expect("guard rails serialize to JSON");
        let mut json = Vec::with_capacity(snapshot_json.len() + rails.len() + 32);
        json.extend_from_slice(b"{\"rails\":");
        json.extend_from_slice(&rails);
        json.extend_from_slice(b",\"snapshot\":");
        json.extend_from_slice(snapshot_json);
        json.push(b'}');
        RecordedInputs { packed: pack(json) }
    }
}

/// One recorded cycle, read back.
#[derive(Debug, Clone)]
pub struct Recording {
    pub snapshot: Snapshot,
    pub rails: GuardRails,
}

/// A recording as stored; the snapshot is read by [`snapshot_from_json`],
/// which keeps unreported readings NaN.
#[derive(Deserialize)]
struct Stored {
    rails: GuardRails,
    snapshot: serde_json::Value,
}

impl Stored {
    fn read(self) -> Result<Recording, serde_json::Error> {
        Ok(Recording {
            snapshot: snapshot_from_json(self.snapshot)?,
            rails: self.rails,
        })
    }
}

/// The recording of `cycle`, if the store holds one: cycles before recording
/// began, interrupted cycles and cycles past retention have none.
pub(super) fn read(
    db: &impl ReadableDatabase,
    path: &Path,
    cycle: u64,
) -> Result<Option<Recording>, StoreError> {
    let db_err = database_error(path, "reading a recorded cycle");
    let Some(table) = open(db, path, "reading a recorded cycle")? else {
        return Ok(None);
    };
    let Some(stored) = table.get(cycle).map_err(|e| db_err(e.into()))? else {
        return Ok(None);
    };
    unpack::<Stored>(stored.value())
        .and_then(Stored::read)
        .map(Some)
        .map_err(|source| StoreError::Decode {
            path: path.to_owned(),
            table: "recordings",
            key: cycle.to_string(),
            source,
        })
}

/// The newest recorded cycle, if any.
pub(super) fn newest(db: &impl ReadableDatabase, path: &Path) -> Result<Option<u64>, StoreError> {
    let op = "finding the newest recorded cycle";
    let Some(table) = open(db, path, op)? else {
        return Ok(None);
    };
    let last = table
        .last()
        .map_err(|e| database_error(path, op)(e.into()))?;
    Ok(last.map(|(cycle, _)| cycle.value()))
}

/// The recordings table to read; `None` in a store written before cycles
/// were recorded.
fn open(
    db: &impl ReadableDatabase,
    path: &Path,
    op: &'static str,
) -> Result<Option<ReadOnlyTable<u64, &'static [u8]>>, StoreError> {
    let db_err = database_error(path, op);
    let txn = db.begin_read().map_err(|e| db_err(e.into()))?;
    match txn.open_table(RECORDINGS) {
        Ok(table) => Ok(Some(table)),
        Err(TableError::TableDoesNotExist(_)) => Ok(None),
        Err(error) => Err(db_err(error.into())),
    }
}

fn database_error(path: &Path, operation: &'static str) -> impl Fn(redb::Error) -> StoreError {
    let path = path.to_owned();
    move |source| StoreError::Database {
        path: path.clone(),
        operation,
        source: Box::new(source),
    }
}
