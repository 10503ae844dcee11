//! [`Rows`]: the iterator over a contiguous range of one table's rows.

use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::ops::Range;

use crate::Snapshot;

/// Views that are built from a snapshot and a row index.
///
/// Sealed: only this crate's views implement it, so a view always holds a row
/// inside its table.
pub(crate) mod sealed {
    use crate::Snapshot;

    /// Builds the view of `row`; the caller guarantees `row` is inside the table.
    pub trait FromRow<'a> {
        /// The view of `row` in `snapshot`.
        fn from_row(snapshot: &'a Snapshot, row: u32) -> Self;
    }
}

/// An iterator over the views of a contiguous range of rows of one table, such
/// as all nodes, or the GPUs of one node. Allocates nothing.
#[derive(Clone, Debug)]
pub struct Rows<'a, V> {
    snapshot: &'a Snapshot,
    rows: Range<usize>,
    view: PhantomData<V>,
}

impl<'a, V: sealed::FromRow<'a>> Rows<'a, V> {
    /// The views of `rows`, which must lie inside the table.
    pub(crate) fn new(snapshot: &'a Snapshot, rows: Range<usize>) -> Self {
        Rows {
            snapshot,
            rows,
            view: PhantomData,
        }
    }

    /// The view of `row` (a row of the whole table) if it lies in this range.
    #[inline]
    pub(crate) fn at(&self, row: u32) -> Option<V> {
        self.rows
            .contains(&(row as usize))
            .then(|| V::from_row(self.snapshot, row))
    }

    /// The row numbers this iterator has left to visit.
    pub fn rows(&self) -> Range<usize> {
        self.rows.clone()
    }
}

impl<'a, V: sealed::FromRow<'a>> Iterator for Rows<'a, V> {
    type Item = V;

    #[inline]
    fn next(&mut self) -> Option<V> {
        let row = self.rows.next()?;
        Some(V::from_row(self.snapshot, row as u32))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.rows.size_hint()
    }

    fn nth(&mut self, n: usize) -> Option<V> {
        let row = self.rows.nth(n)?;
        Some(V::from_row(self.snapshot, row as u32))
    }
}

impl<'a, V: sealed::FromRow<'a>> DoubleEndedIterator for Rows<'a, V> {
    fn next_back(&mut self) -> Option<V> {
        let row = self.rows.next_back()?;
        Some(V::from_row(self.snapshot, row as u32))
    }
}

impl<'a, V: sealed::FromRow<'a>> ExactSizeIterator for Rows<'a, V> {}

impl<'a, V: sealed::FromRow<'a>> FusedIterator for Rows<'a, V> {}
