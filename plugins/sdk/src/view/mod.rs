//! Read-only views over the columnar [`Snapshot`].
//!
//! The snapshot stores every table as a record of columns; these views put the
//! rows back together without copying anything. Each view is a `Copy` pair of
//! `&Snapshot` and a row index, so iterating 10,000 nodes × 8 GPUs allocates
//! nothing, and every accessor is one indexed load.
//!
//! Number columns arrive packed (bytes holding one little-endian value per
//! row); accessors decode the one value they return, with
//! [`Column`](crate::column::Column), and return it typed, so a view costs
//! the same as indexing a list of numbers.
//!
//! Strings are interned: accessors return `&str` slices of `snapshot.strings`.
//! A field the contract allows to be absent (`none`) is returned as an `Option`;
//! floating-point measurements are returned as they are, `NaN` meaning "not
//! reported". Enum and boolean columns hold one byte per row (`list<u8>`); the
//! views hand them back typed ([`Health`](crate::Health), `bool`, …), decoded
//! by each enum's `from_code` (a code past the last case reads as that enum's
//! safe case, any nonzero boolean byte as true).
//!
//! Views rely on the host's guarantees (equal column lengths, indices inside
//! their tables, children grouped by parent). Children ranges and strings are
//! read defensively, so a malformed snapshot yields empty results rather than
//! panics; a row index out of its table in a column read still panics, which
//! the host's guarantee rules out.

pub(crate) mod codes;
mod gpu;
mod group;
mod node;
mod pool;
mod rows;

use std::ops::Range;

use crate::column::{Column, Packed};
use crate::{NONE, Snapshot};

pub use gpu::{GpuView, MigView};
pub use group::{GroupView, InstanceView};
pub use node::NodeView;
pub use pool::{MemberView, PoolView};
pub use rows::Rows;

/// A read-only view of a whole snapshot: the entry point to every table.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotView<'a> {
    snapshot: &'a Snapshot,
}

impl<'a> SnapshotView<'a> {
    /// Wraps `snapshot`; costs nothing.
    pub fn new(snapshot: &'a Snapshot) -> Self {
        SnapshotView { snapshot }
    }

    /// The underlying snapshot, for columns the views do not cover.
    pub fn snapshot(&self) -> &'a Snapshot {
        self.snapshot
    }

    /// The snapshot's version; increases by one every cycle.
    pub fn version(&self) -> u64 {
        self.snapshot.version
    }

    /// When the snapshot was taken, milliseconds since the Unix epoch.
    pub fn time_ms(&self) -> u64 {
        self.snapshot.time_ms
    }

    /// The interned string `id`; `""` when `id` is [`NONE`] or invalid.
    #[inline]
    pub fn string(&self, id: u32) -> &'a str {
        self.optional_string(id).unwrap_or("")
    }

    /// The interned string `id`; `None` when `id` is [`NONE`] or invalid.
    #[inline]
    pub fn optional_string(&self, id: u32) -> Option<&'a str> {
        if id == NONE {
            return None;
        }
        let strings = &self.snapshot.strings;
        let offsets = Column::<u32>::new(&strings.offsets);
        let start = offsets.get(id as usize)?;
        let end = offsets.get(id as usize + 1)?;
        strings.text.get(start as usize..end as usize)
    }

    /// Every node, in row order.
    pub fn nodes(&self) -> Rows<'a, NodeView<'a>> {
        Rows::new(self.snapshot, 0..row_count(&self.snapshot.nodes.name))
    }

    /// The node in `row`, if there is one.
    #[inline]
    pub fn node(&self, row: u32) -> Option<NodeView<'a>> {
        self.nodes().at(row)
    }

    /// The first node named `name` (a linear scan).
    pub fn node_by_name(&self, name: &str) -> Option<NodeView<'a>> {
        self.nodes().find(|node| node.name() == name)
    }

    /// Every GPU of every node, in row order (grouped by node).
    pub fn gpus(&self) -> Rows<'a, GpuView<'a>> {
        Rows::new(self.snapshot, 0..row_count(&self.snapshot.gpus.node))
    }

    /// Every load-balancer pool, in row order.
    pub fn pools(&self) -> Rows<'a, PoolView<'a>> {
        Rows::new(self.snapshot, 0..row_count(&self.snapshot.pools.name))
    }

    /// The pool in `row`, if there is one.
    pub fn pool(&self, row: u32) -> Option<PoolView<'a>> {
        self.pools().at(row)
    }

    /// The first pool named `name` (a linear scan).
    pub fn pool_by_name(&self, name: &str) -> Option<PoolView<'a>> {
        self.pools().find(|pool| pool.name() == name)
    }

    /// Every member of every pool, in row order (grouped by pool).
    pub fn members(&self) -> Rows<'a, MemberView<'a>> {
        Rows::new(self.snapshot, 0..row_count(&self.snapshot.members.pool))
    }

    /// The member in `row`, if there is one.
    pub fn member(&self, row: u32) -> Option<MemberView<'a>> {
        self.members().at(row)
    }

    /// Every managed instance group, in row order.
    pub fn instance_groups(&self) -> Rows<'a, GroupView<'a>> {
        Rows::new(
            self.snapshot,
            0..row_count(&self.snapshot.instance_groups.name),
        )
    }

    /// The instance group in `row`, if there is one.
    pub fn instance_group(&self, row: u32) -> Option<GroupView<'a>> {
        self.instance_groups().at(row)
    }

    /// Every demand signal as `(name, value)`, in row order.
    pub fn signals(&self) -> impl ExactSizeIterator<Item = (&'a str, f64)> + 'a {
        let signals = &self.snapshot.signals;
        let view = *self;
        Column::<u32>::new(&signals.name)
            .iter()
            .zip(Column::<f64>::new(&signals.value))
            .map(move |(name, value)| (view.string(name), value))
    }

    /// The value of the first signal named `name`.
    pub fn signal(&self, name: &str) -> Option<f64> {
        self.signals()
            .find(|&(signal, _)| signal == name)
            .map(|(_, value)| value)
    }
}

/// The child rows of parent `row`: `starts[row] .. starts[row + 1]` of the
/// packed `u32` column `starts`, or to `child_count` for the last parent;
/// clamped so a malformed column yields an empty range instead of a panic.
#[inline]
fn children(starts: &[u8], row: u32, child_count: usize) -> Range<usize> {
    let starts = Column::<u32>::new(starts);
    let row = row as usize;
    let bound =
        |start: Option<u32>| start.map_or(child_count, |start| (start as usize).min(child_count));
    let end = bound(starts.get(row + 1));
    let start = bound(starts.get(row)).min(end);
    start..end
}

/// The value in `row` of a packed column of `T`; panics past the column, as
/// indexing does (the host's guarantee rules that out).
#[inline]
fn read<T: Packed>(column: &[u8], row: usize) -> T {
    Column::<T>::new(column).at(row)
}

/// Rows of a table, counted on one of its packed `u32` (row or string id)
/// columns.
#[inline]
fn row_count(column: &[u8]) -> usize {
    Column::<u32>::new(column).len()
}

#[cfg(test)]
mod tests;
