//! [`Memory`]: what the policy remembers about each member between cycles.
//!
//! Everything lives under one state key, [`KEY`], so a cycle costs one `get`
//! and at most one `set` however many members there are. The value is a compact
//! binary encoding (all integers little-endian):
//!
//! ```text
//! b"fgw1"                                  magic and format version
//! then per pool, until the end:
//!   u16 name length, name (UTF-8)
//!   u32 member count
//!   per member: u16 name length, name (UTF-8),
//!               f32 smoothed ratio (NaN: none),
//!               u8 flags (bit 0: disabled by this policy)
//! ```
//!
//! Members are keyed by pool and name, since one name may be in several pools.
//! Decoding borrows names from the stored bytes; a value that does not decode
//! is reported as [`Corrupt`] and the caller starts afresh.
//!
//! A pool's records are written in member row order, so while a pool's layout
//! stays the same the stored records line up with its members: [`Recall`]
//! finds each member's record by walking both in step, comparing names
//! without hashing them, and looks names up only when the layout changed.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;
use std::ops::Index;

use fulcrum_sdk::{Column, PoolView, SnapshotView};
use rustc_hash::FxBuildHasher;

/// The state key holding every member's [`Record`].
pub const KEY: &str = "member-memory";

const MAGIC: &[u8; 4] = b"fgw1";
const DISABLED_BY_POLICY: u8 = 1;

/// What the policy remembers about one member.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Record {
    /// The unrounded smoothed ratio of the last cycle that scored the member.
    pub smoothed: Option<f32>,
    /// This policy disabled the member (so it may enable it again).
    pub disabled_by_policy: bool,
}

impl Record {
    fn is_empty(&self) -> bool {
        *self == Record::default()
    }
}

/// One pool's records, in the order they were stored (the member row order of
/// the cycle that stored them), with names borrowed from the stored bytes.
///
/// Looking a member up by name ([`get`](Records::get)) builds a hash index on
/// first use; where a name was stored more than once, the last record counts.
/// The index is hashed with Fx, which is fast and deterministic: the names come
/// from the operator's load balancer, not an adversary, and std's randomly
/// keyed hasher would cost a `wasi:random` import and a third of a cycle's time.
#[derive(Debug, Default)]
pub struct Records<'a> {
    entries: Vec<(&'a str, Record)>,
    index: OnceCell<HashMap<&'a str, Record, FxBuildHasher>>,
}

impl<'a> Records<'a> {
    /// The stored `(member name, record)` pairs, in stored order.
    pub fn entries(&self) -> &[(&'a str, Record)] {
        &self.entries
    }

    /// How many records are stored (a name stored twice counts twice).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no record is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The record of member `name`: the last one stored under that name.
    pub fn get(&self, name: &str) -> Option<&Record> {
        self.index
            .get_or_init(|| {
                let mut index =
                    HashMap::with_capacity_and_hasher(self.entries.len(), FxBuildHasher);
                index.extend(self.entries.iter().copied());
                index
            })
            .get(name)
    }
}

impl Index<&str> for Records<'_> {
    type Output = Record;

    /// The record of member `name`; panics when there is none.
    fn index(&self, name: &str) -> &Record {
        self.get(name)
            .unwrap_or_else(|| panic!("no record for member \"{name}\""))
    }
}

/// The decoded records, borrowing names from the stored bytes.
#[derive(Debug, Default)]
pub struct Memory<'a> {
    pools: Vec<(&'a str, Records<'a>)>,
}

impl<'a> Memory<'a> {
    /// Decode a stored value.
    pub fn decode(bytes: &'a [u8]) -> Result<Memory<'a>, Corrupt> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(MAGIC.len())? != MAGIC {
            return Err(Corrupt {
                at: 0,
                what: "unknown format (no \"fgw1\" header)",
            });
        }
        let mut pools = Vec::new();
        while reader.at < bytes.len() {
            let pool = reader.name()?;
            let count = reader.u32()? as usize;
            // Each member takes at least 7 bytes, which bounds a corrupt count.
            let mut entries = Vec::with_capacity(count.min(reader.left() / 7));
            for _ in 0..count {
                let name = reader.name()?;
                let smoothed = f32::from_le_bytes(reader.array()?);
                let [flags] = reader.array()?;
                let smoothed = smoothed.is_finite().then_some(smoothed);
                entries.push((
                    name,
                    Record {
                        smoothed,
                        disabled_by_policy: flags & DISABLED_BY_POLICY != 0,
                    },
                ));
            }
            pools.push((
                pool,
                Records {
                    entries,
                    index: OnceCell::new(),
                },
            ));
        }
        Ok(Memory { pools })
    }

    /// The records of the pool named `pool`.
    pub fn pool(&self, pool: &str) -> Option<&Records<'a>> {
        self.pools
            .iter()
            .find(|(name, _)| *name == pool)
            .map(|(_, members)| members)
    }
}

/// Finds the remembered record of each member of a pool, in row order.
///
/// Two ways give the same records:
///
/// - in step: walk the pool's members and the stored records together, taking
///   the next stored record when its name is the member's, and nothing
///   otherwise. One name comparison per member, nothing hashed.
/// - by name: [`Records::get`] for every member.
///
/// Walking in step is exactly a lookup by name when every stored record was
/// taken and no name repeats among the pool's members: each stored name is
/// then a distinct member's, so a member whose name was not next has no
/// record at all. That holds whenever the records were written for the same
/// members in the same order, the steady state. Repeated names are found on
/// the snapshot's string ids, which are equal exactly when the names are
/// (every string is interned once); otherwise, by name it is.
#[derive(Debug)]
pub struct Recall {
    /// One bit per string id of the snapshot: set while a member of the pool
    /// being recalled has that name.
    seen: Vec<u64>,
    /// How many strings the snapshot has.
    strings: usize,
    /// The records of the pool recalled last, in member row order.
    records: Vec<Record>,
}

impl Recall {
    /// Room for the string ids of `snapshot`.
    pub fn new(snapshot: &SnapshotView<'_>) -> Recall {
        let offsets = Column::<u32>::new(&snapshot.snapshot().strings.offsets);
        let strings = offsets.len().saturating_sub(1);
        Recall {
            seen: vec![0; strings.div_ceil(64)],
            strings,
            records: Vec::new(),
        }
    }

    /// The remembered record of every member of `pool`, in row order (the
    /// default record for members with none); `remembered` are the pool's
    /// stored records, if any.
    pub fn pool(
        &mut self,
        snapshot: &SnapshotView<'_>,
        pool: PoolView<'_>,
        remembered: Option<&Records<'_>>,
    ) -> &[Record] {
        let ids = Column::<u32>::new(&snapshot.snapshot().members.name).rows(pool.members().rows());
        self.records.clear();
        let Some(remembered) = remembered else {
            self.records.resize(ids.len(), Record::default());
            return &self.records;
        };

        let stored = remembered.entries();
        let mut next = 0;
        let mut distinct = true;
        for id in ids {
            distinct &= self.insert(id);
            let name = snapshot.string(id);
            match stored.get(next) {
                Some(&(stored_name, record)) if same(stored_name, name) => {
                    self.records.push(record);
                    next += 1;
                }
                _ => self.records.push(Record::default()),
            }
        }
        for id in ids {
            self.remove(id);
        }

        if !distinct || next != stored.len() {
            self.records.clear();
            self.records.extend(ids.iter().map(|id| {
                remembered
                    .get(snapshot.string(id))
                    .copied()
                    .unwrap_or_default()
            }));
        }
        &self.records
    }

    /// Mark string `id` seen; false when it already was, or is no string id.
    fn insert(&mut self, id: u32) -> bool {
        if id as usize >= self.strings {
            return false;
        }
        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
        match self.seen.get_mut(word) {
            Some(bits) if *bits & bit == 0 => {
                *bits |= bit;
                true
            }
            _ => false,
        }
    }

    fn remove(&mut self, id: u32) {
        if let Some(bits) = self.seen.get_mut(id as usize / 64) {
            *bits &= !(1u64 << (id % 64));
        }
    }
}

/// `a == b`, eight bytes at a time: WebAssembly's `memcmp` compares byte by
/// byte, and this runs once per member.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (a_words, a_tail) = a.as_chunks::<8>();
    let (b_words, b_tail) = b.as_chunks::<8>();
    a_words
        .iter()
        .zip(b_words)
        .all(|(x, y)| u64::from_ne_bytes(*x) == u64::from_ne_bytes(*y))
        && a_tail.iter().zip(b_tail).all(|(x, y)| x == y)
}

/// A stored value that does not decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Corrupt {
    at: usize,
    what: &'static str,
}

impl fmt::Display for Corrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}: {}", self.at, self.what)
    }
}

/// Reads the encoding front to back.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let taken = self.bytes.get(self.at..self.at + n).ok_or(Corrupt {
            at: self.at,
            what: "truncated",
        })?;
        self.at += n;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Corrupt> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u32(&mut self) -> Result<u32, Corrupt> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn name(&mut self) -> Result<&'a str, Corrupt> {
        let len = u16::from_le_bytes(self.array()?) as usize;
        let start = self.at;
        let bytes = self.take(len)?;
        std::str::from_utf8(bytes).map_err(|_| Corrupt {
            at: start,
            what: "name is not UTF-8",
        })
    }
}

/// Encodes this cycle's records, pool by pool, in the order they are given.
pub struct Writer {
    bytes: Vec<u8>,
    /// Where the current pool's entry starts, and where its count goes.
    pool_at: usize,
    count_at: usize,
    count: u32,
}

impl Writer {
    /// A writer with room for about `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Writer {
        let mut bytes = Vec::with_capacity(capacity.max(MAGIC.len()));
        bytes.extend_from_slice(MAGIC);
        Writer {
            bytes,
            pool_at: MAGIC.len(),
            count_at: MAGIC.len(),
            count: 0,
        }
    }

    /// Start the records of pool `name`; ends the previous pool.
    pub fn pool(&mut self, name: &str) {
        self.end_pool();
        self.pool_at = self.bytes.len();
        if !self.name(name) {
            return;
        }
        self.count_at = self.bytes.len();
        self.bytes.extend_from_slice(&0u32.to_le_bytes());
    }

    /// Record `record` for member `name` of the current pool. Empty records,
    /// and names too long to encode, are left out.
    pub fn member(&mut self, name: &str, record: Record) {
        if record.is_empty() || self.count_at <= self.pool_at || !self.name(name) {
            return;
        }
        self.bytes
            .extend_from_slice(&record.smoothed.unwrap_or(f32::NAN).to_le_bytes());
        self.bytes.push(if record.disabled_by_policy {
            DISABLED_BY_POLICY
        } else {
            0
        });
        self.count += 1;
    }

    /// The encoded value; `None` when there is nothing to remember.
    pub fn finish(mut self) -> Option<Vec<u8>> {
        self.end_pool();
        (self.bytes.len() > MAGIC.len()).then_some(self.bytes)
    }

    /// Write the current pool's count, or drop the pool if it has no records.
    fn end_pool(&mut self) {
        if self.count == 0 {
            self.bytes.truncate(self.pool_at);
        } else {
            self.bytes[self.count_at..self.count_at + 4].copy_from_slice(&self.count.to_le_bytes());
        }
        self.count = 0;
        self.count_at = self.pool_at;
    }

    /// Append a length-prefixed name; false (and nothing written) if it is too long.
    fn name(&mut self, name: &str) -> bool {
        let Ok(len) = u16::try_from(name.len()) else {
            return false;
        };
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(name.as_bytes());
        true
    }
}

#[cfg(test)]
mod tests {
    use fulcrum_sdk::testing::SnapshotBuilder;
    use fulcrum_sdk::{Availability, MemberState};

    use super::*;

    fn smoothed(value: f32) -> Record {
        Record {
            smoothed: Some(value),
            disabled_by_policy: false,
        }
    }

    #[test]
    fn same_compares_whole_names() {
        let names = [
            "",
            "a",
            "b",
            "ml-node-1",
            "ml-node-2",
            "ml-node-1:8080",
            "ml-node-1:8081",
            "ü",
        ];
        for a in names {
            for b in names {
                assert_eq!(same(a, b), a == b, "{a:?} {b:?}");
            }
        }
        assert!(!same("ml-node-10:8080x", "ml-node-10:8080y"));
        assert!(!same("xml-node-10:8080", "yml-node-10:8080"));
    }

    #[test]
    fn records_round_trip_per_pool() {
        let mut writer = Writer::with_capacity(0);
        writer.pool("a");
        writer.member("m1", smoothed(12.5));
        writer.member("skipped", Record::default());
        writer.member(
            "m2",
            Record {
                smoothed: None,
                disabled_by_policy: true,
            },
        );
        writer.pool("empty");
        writer.member("nothing", Record::default());
        writer.pool("b");
        writer.member("m1", smoothed(3.0));
        let bytes = writer.finish().unwrap();

        let memory = Memory::decode(&bytes).unwrap();
        let a = memory.pool("a").unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a["m1"], smoothed(12.5));
        assert_eq!(
            a["m2"],
            Record {
                smoothed: None,
                disabled_by_policy: true
            }
        );
        assert_eq!(memory.pool("b").unwrap()["m1"], smoothed(3.0));
        assert!(memory.pool("empty").is_none());
    }

    #[test]
    fn nothing_to_remember_encodes_as_none() {
        let mut writer = Writer::with_capacity(64);
        writer.pool("a");
        writer.member("m", Record::default());
        assert_eq!(writer.finish(), None);
    }

    #[test]
    fn names_too_long_are_left_out() {
        let long = "x".repeat(70_000);
        let mut writer = Writer::with_capacity(0);
        writer.pool(&long);
        writer.member("m", smoothed(1.0));
        writer.pool("a");
        writer.member(&long, smoothed(1.0));
        writer.member("m", smoothed(2.0));
        let bytes = writer.finish().unwrap();
        let memory = Memory::decode(&bytes).unwrap();
        assert_eq!(memory.pool("a").unwrap().len(), 1);
        assert!(memory.pool(&long).is_none());
    }

    #[test]
    fn corrupt_values_are_reported() {
        assert_eq!(
            Memory::decode(b"").unwrap_err().to_string(),
            "byte 0: truncated"
        );
        assert_eq!(
            Memory::decode(b"v0\x00\x00\x00").unwrap_err().to_string(),
            "byte 0: unknown format (no \"fgw1\" header)"
        );
        assert_eq!(
            Memory::decode(b"fgw1\x01\x00a\x05\x00\x00\x00")
                .unwrap_err()
                .to_string(),
            "byte 11: truncated"
        );
        assert_eq!(
            Memory::decode(b"fgw1\x01\x00\xff").unwrap_err().to_string(),
            "byte 6: name is not UTF-8"
        );
        let huge_count = b"fgw1\x01\x00a\xff\xff\xff\xff";
        assert!(Memory::decode(huge_count).is_err());
        assert!(Memory::decode(b"fgw1").unwrap().pool("a").is_none());
    }

    /// Records stored for `members` (name, smoothed) of pool "p", empty ones left out.
    fn stored(members: &[(&str, Option<f32>)]) -> Vec<u8> {
        let mut writer = Writer::with_capacity(0);
        writer.pool("p");
        for &(name, smoothed) in members {
            writer.member(
                name,
                Record {
                    smoothed,
                    disabled_by_policy: false,
                },
            );
        }
        writer.finish().unwrap()
    }

    /// What `Recall` finds for the members `names` of pool "p", and whether it
    /// had to look names up.
    fn recall(bytes: &[u8], names: &[&str]) -> (Vec<Option<f32>>, bool) {
        let mut builder = SnapshotBuilder::new();
        let pool = builder.pool("p", "Common", "ratio-member");
        for name in names {
            builder.member(
                pool,
                name,
                "10.0.0.1",
                80,
                1,
                MemberState::Enabled,
                Availability::Available,
                0,
                None,
            );
        }
        let snapshot = builder.build();
        let view = SnapshotView::new(&snapshot);
        let memory = Memory::decode(bytes).unwrap();
        let records = memory.pool("p").unwrap();
        let found = Recall::new(&view)
            .pool(&view, view.pool(pool).unwrap(), Some(records))
            .iter()
            .map(|record| record.smoothed)
            .collect();
        let looked_up = records.index.get().is_some();
        let by_name: Vec<Option<f32>> = names
            .iter()
            .map(|name| records.get(name).and_then(|record| record.smoothed))
            .collect();
        assert_eq!(found, by_name, "in step and by name agree");
        (found, looked_up)
    }

    #[test]
    fn an_unchanged_layout_is_recalled_in_step_without_hashing() {
        let bytes = stored(&[("a", Some(1.0)), ("b", None), ("c", Some(3.0))]);
        assert_eq!(
            recall(&bytes, &["a", "b", "c"]),
            (vec![Some(1.0), None, Some(3.0)], false)
        );
        // A member added since has no record yet; the rest still line up.
        assert_eq!(
            recall(&bytes, &["new", "a", "b", "c", "newer"]),
            (vec![None, Some(1.0), None, Some(3.0), None], false)
        );
    }

    #[test]
    fn a_changed_layout_or_repeated_names_are_looked_up_by_name() {
        let bytes = stored(&[("a", Some(1.0)), ("b", Some(2.0)), ("c", Some(3.0))]);
        // Reordered, and a member removed.
        assert_eq!(
            recall(&bytes, &["c", "b", "a"]),
            (vec![Some(3.0), Some(2.0), Some(1.0)], true)
        );
        assert_eq!(
            recall(&bytes, &["a", "c"]),
            (vec![Some(1.0), Some(3.0)], true)
        );
        // A name twice in the pool (and so twice in the stored records): the
        // last stored record counts for both, as a lookup by name gives.
        let repeated = stored(&[("a", Some(1.0)), ("a", Some(2.0))]);
        assert_eq!(
            recall(&repeated, &["a", "a"]),
            (vec![Some(2.0), Some(2.0)], true)
        );
    }

    #[test]
    fn non_finite_smoothed_values_read_as_none() {
        let mut bytes = b"fgw1\x01\x00a\x01\x00\x00\x00\x01\x00m".to_vec();
        bytes.extend_from_slice(&f32::INFINITY.to_le_bytes());
        bytes.push(0);
        let memory = Memory::decode(&bytes).unwrap();
        assert_eq!(memory.pool("a").unwrap()["m"], Record::default());
    }
}
