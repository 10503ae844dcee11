//! Why a policy's output breaks the contract: [`OutputError`] names the
//! table (and the row, through [`RowError`]) and what is wrong with it.

use crate::model::ActionKind;

use super::{MAX_PROFILE_NAME_BYTES, MAX_PROFILES_PER_LAYOUT, MAX_REASON_BYTES};

/// The first contract violation in a policy's output.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OutputError {
    #[error("reasons: offsets must start at 0")]
    ReasonsStart,
    #[error("reasons: offset {offset} decreases")]
    ReasonsDecrease { offset: usize },
    #[error("reasons: the last offset must be the text's length, {len}")]
    ReasonsEnd { len: usize },
    /// The table's columns, named with their lengths, differ in length.
    #[error("{table}: the columns differ in length ({lengths})")]
    Ragged {
        table: &'static str,
        lengths: String,
    },
    #[error(
        "{table}: the policy did not declare this action kind ({kind}) in its metadata; it proposed {rows}"
    )]
    Undeclared {
        table: &'static str,
        kind: ActionKind,
        rows: usize,
    },
    #[error("{table}: {rows} rows for {targets} {noun}s; at most one row per {noun}")]
    TooManyRows {
        table: &'static str,
        rows: usize,
        targets: usize,
        noun: &'static str,
    },
    #[error("{table} row {index} ({kind}): {source}")]
    Row {
        table: &'static str,
        index: usize,
        kind: ActionKind,
        #[source]
        source: RowError,
    },
}

/// What is wrong with one row.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RowError {
    #[error("reason {id} does not exist; there are {count}")]
    NoReason { id: usize, count: usize },
    #[error("reason {id} (bytes {start}..{end}) cuts a UTF-8 character")]
    ReasonCut { id: usize, start: u32, end: u32 },
    #[error("the reason is {bytes} bytes; at most {MAX_REASON_BYTES}")]
    ReasonTooLong { bytes: usize },
    #[error("the reason is empty")]
    ReasonEmpty,
    #[error("{noun} row {index} does not exist; the snapshot has {len}")]
    NoTarget {
        noun: &'static str,
        index: u32,
        len: usize,
    },
    #[error("{noun} {index} already has row {first}; at most one row per {noun}")]
    TargetTwice {
        noun: &'static str,
        index: u32,
        first: u32,
    },
    #[error("state {code} is not a member-state case")]
    State { code: u8 },
    #[error("ratio {ratio} is out of range; expected 1..=65535")]
    Ratio { ratio: u32 },
    #[error("group {group} is not the backend of any backend service")]
    NoBackendService { group: u32 },
    #[error("capacity scaler {scaler} is out of range; expected 0 or 0.1..=1")]
    Scaler { scaler: f32 },
    #[error("the layout names no GPU")]
    NoGpus,
    #[error("gpu {gpu} is not on node {node}")]
    GpuNotOnNode { gpu: u32, node: u32 },
    #[error("{count} profile entries; at most {MAX_PROFILES_PER_LAYOUT}")]
    TooManyProfiles { count: usize },
    /// `profile` is already cut to a printable length.
    #[error(
        "profile {profile:?} with count {count} is not a valid entry (a name of 1 to {MAX_PROFILE_NAME_BYTES} lower-case letters, digits, '.' and '+', and a count of at least 1)"
    )]
    Profile { profile: String, count: u32 },
}
