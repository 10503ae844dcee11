//! Packed columns: the snapshot's number columns as the contract carries
//! them, bytes holding one little-endian value per row (`f32-column`,
//! `u32-column`, … in `wit/types.wit`), and the one place that reads and
//! writes those bytes.
//!
//! The views decode through [`Column`], so policies rarely need it; it is
//! public for reading columns the views do not cover, or a node's GPU
//! columns as a whole:
//!
//! ```
//! use fulcrum_sdk::column::Column;
//! use fulcrum_sdk::testing::{GpuSample, SnapshotBuilder};
//!
//! let mut builder = SnapshotBuilder::new();
//! let node = builder.node("gpu-1", "10.0.0.1");
//! builder.gpu(node, GpuSample { utilization: 0.5, ..GpuSample::default() });
//! builder.gpu(node, GpuSample { utilization: 0.75, ..GpuSample::default() });
//! let snapshot = builder.build();
//!
//! let utilization = Column::<f32>::new(&snapshot.gpus.utilization);
//! assert_eq!(utilization.len(), 2);
//! assert_eq!(utilization.iter().sum::<f32>(), 1.25);
//! ```

use std::fmt;
use std::iter::FusedIterator;
use std::marker::PhantomData;
use std::ops::Range;

/// A number type a packed column holds: `u16`, `u32`, `u64`, `f32` or `f64`.
pub trait Packed: Copy + sealed::Sealed {
    /// The value's little-endian bytes.
    type Bytes: Copy + fmt::Debug;

    /// `bytes` as whole values' bytes; bytes past the last whole value are
    /// left out (the host never sends any).
    fn chunks(bytes: &[u8]) -> &[Self::Bytes];

    /// [`Packed::chunks`], writable.
    fn chunks_mut(bytes: &mut [u8]) -> &mut [Self::Bytes];

    /// The value these little-endian bytes hold.
    fn from_le_bytes(bytes: Self::Bytes) -> Self;

    /// This value's little-endian bytes.
    fn to_le_bytes(self) -> Self::Bytes;
}

mod sealed {
    /// Only the contract's number types are [`super::Packed`].
    pub trait Sealed {}
}

macro_rules! packed {
    ($($number:ty),*) => {$(
        impl sealed::Sealed for $number {}

        impl Packed for $number {
            type Bytes = [u8; size_of::<$number>()];

            #[inline]
            fn chunks(bytes: &[u8]) -> &[Self::Bytes] {
                bytes.as_chunks().0
            }

            #[inline]
            fn chunks_mut(bytes: &mut [u8]) -> &mut [Self::Bytes] {
                bytes.as_chunks_mut().0
            }

            #[inline]
            fn from_le_bytes(bytes: Self::Bytes) -> Self {
                <$number>::from_le_bytes(bytes)
            }

            #[inline]
            fn to_le_bytes(self) -> Self::Bytes {
                <$number>::to_le_bytes(self)
            }
        }
    )*};
}

packed!(u16, u32, u64, f32, f64);

/// A packed column read as values of `T`: a borrowed view, free to build
/// and to copy.
pub struct Column<'a, T: Packed> {
    values: &'a [T::Bytes],
    number: PhantomData<T>,
}

impl<T: Packed> Clone for Column<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Packed> Copy for Column<'_, T> {}

impl<T: Packed> fmt::Debug for Column<'_, T>
where
    T: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Packed> Column<'a, T> {
    /// The values packed in `bytes`.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Self {
        Column {
            values: T::chunks(bytes),
            number: PhantomData,
        }
    }

    /// Number of values (rows).
    #[inline]
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the column holds no value.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value in `row`.
    ///
    /// # Panics
    ///
    /// When `row` is past the column, as indexing a slice does.
    #[inline]
    pub fn at(&self, row: usize) -> T {
        T::from_le_bytes(self.values[row])
    }

    /// The value in `row`, if the column has that row.
    #[inline]
    pub fn get(&self, row: usize) -> Option<T> {
        self.values.get(row).map(|&bytes| T::from_le_bytes(bytes))
    }

    /// The values of `rows`; empty when `rows` is not inside the column.
    #[inline]
    pub fn rows(&self, rows: Range<usize>) -> Column<'a, T> {
        Column {
            values: self.values.get(rows).unwrap_or_default(),
            number: PhantomData,
        }
    }

    /// Every value, in row order.
    #[inline]
    pub fn iter(&self) -> Values<'a, T> {
        Values {
            values: self.values.iter(),
            number: PhantomData,
        }
    }
}

impl<'a, T: Packed> IntoIterator for Column<'a, T> {
    type Item = T;
    type IntoIter = Values<'a, T>;

    fn into_iter(self) -> Values<'a, T> {
        self.iter()
    }
}

/// The values of a [`Column`], in row order.
#[derive(Clone, Debug)]
pub struct Values<'a, T: Packed> {
    values: std::slice::Iter<'a, T::Bytes>,
    number: PhantomData<T>,
}

impl<T: Packed> Iterator for Values<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        self.values.next().map(|&bytes| T::from_le_bytes(bytes))
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl<T: Packed> DoubleEndedIterator for Values<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        self.values
            .next_back()
            .map(|&bytes| T::from_le_bytes(bytes))
    }
}

impl<T: Packed> ExactSizeIterator for Values<'_, T> {}

impl<T: Packed> FusedIterator for Values<'_, T> {}

/// `values` as a packed column.
pub fn pack<T: Packed>(values: impl IntoIterator<Item = T>) -> Vec<u8> {
    let mut column = Vec::new();
    for value in values {
        push(&mut column, value);
    }
    column
}

/// Append `value` to the packed `column`.
pub fn push<T: Packed>(column: &mut Vec<u8>, value: T) {
    let bytes = value.to_le_bytes();
    let start = column.len();
    column.resize(start + size_of::<T::Bytes>(), 0);
    T::chunks_mut(&mut column[start..])[0] = bytes;
}

/// Overwrite the value in `row` of the packed `column` (a test editing a
/// built snapshot: `column::set(&mut snapshot.members.ratio, 0, 100u32)`).
///
/// # Panics
///
/// When `row` is past the column.
pub fn set<T: Packed>(column: &mut [u8], row: usize, value: T) {
    T::chunks_mut(column)[row] = value.to_le_bytes();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_packed_little_endian() {
        let column = pack([1.5f32, f32::NAN, -2.0]);
        assert_eq!(&column[..4], &1.5f32.to_le_bytes());
        let values = Column::<f32>::new(&column);
        assert_eq!(values.len(), 3);
        assert_eq!(values.at(0), 1.5);
        assert!(values.at(1).is_nan());
        assert_eq!(values.get(3), None);
        assert_eq!(values.iter().next_back(), Some(-2.0));
    }

    #[test]
    fn every_width_round_trips() {
        assert_eq!(Column::<u16>::new(&pack([7u16, 65_535])).at(1), 65_535);
        assert_eq!(Column::<u32>::new(&pack([u32::MAX, 3])).at(0), u32::MAX);
        let high = 0x8a2c_6d3e_1111_2222u64;
        assert_eq!(Column::<u64>::new(&pack([high])).at(0), high);
        assert_eq!(Column::<f64>::new(&pack([0.1f64])).at(0), 0.1);
    }

    #[test]
    fn rows_outside_the_column_are_empty_and_a_partial_value_is_ignored() {
        let mut column = pack([1u32, 2, 3]);
        let values = Column::<u32>::new(&column);
        assert_eq!(values.rows(1..3).iter().collect::<Vec<_>>(), vec![2, 3]);
        assert!(values.rows(2..9).is_empty());
        column.push(0xff);
        assert_eq!(Column::<u32>::new(&column).len(), 3);
    }

    #[test]
    fn set_overwrites_one_row() {
        let mut column = pack([1u32, 2, 3]);
        set(&mut column, 1, 20u32);
        assert_eq!(pack([1u32, 20, 3]), column);
    }
}
