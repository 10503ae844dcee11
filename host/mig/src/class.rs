//! The slice grid of a MIG-capable GPU (8 memory slices, 7 compute slices)
//! and the placement classes on it: what each class of profile covers and
//! takes, where it may start, and how many fit on one GPU.
//!
//! Figures follow NVIDIA's MIG user guide (the placement tables) for the
//! 8-memory-slice, 7-compute-slice GPUs.

/// Memory slices of one MIG-capable GPU, numbered 0..=7.
pub const MEMORY_SLICES: u8 = 8;
/// Compute slices (GPCs) of one MIG-capable GPU.
pub const COMPUTE_SLICES: u8 = 7;

/// The placement class of a profile: what it takes of the slice grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileClass {
    /// One compute slice and one memory slice (`1g.10gb`).
    OneSlice,
    /// One compute slice, one memory slice and every media engine (`1g.10gb+me`).
    OneSliceMedia,
    /// One compute slice with two memory slices (`1g.20gb`).
    OneSliceDoubleMemory,
    /// Two compute slices (`2g.20gb`).
    Two,
    /// Three compute slices (`3g.40gb`).
    Three,
    /// Four compute slices (`4g.40gb`).
    Four,
    /// The whole GPU (`7g.80gb`).
    Seven,
}

impl ProfileClass {
    /// Memory slices an instance covers.
    pub fn memory_slices(self) -> u8 {
        match self {
            ProfileClass::OneSlice | ProfileClass::OneSliceMedia => 1,
            ProfileClass::OneSliceDoubleMemory | ProfileClass::Two => 2,
            ProfileClass::Three | ProfileClass::Four => 4,
            ProfileClass::Seven => 8,
        }
    }

    /// Compute slices an instance takes.
    pub fn compute_slices(self) -> u8 {
        match self {
            ProfileClass::OneSlice
            | ProfileClass::OneSliceMedia
            | ProfileClass::OneSliceDoubleMemory => 1,
            ProfileClass::Two => 2,
            ProfileClass::Three => 3,
            ProfileClass::Four => 4,
            ProfileClass::Seven => 7,
        }
    }

    /// Memory slices an instance may start at.
    pub fn starts(self) -> &'static [u8] {
        match self {
            ProfileClass::OneSlice | ProfileClass::OneSliceMedia => &[0, 1, 2, 3, 4, 5, 6],
            ProfileClass::OneSliceDoubleMemory => &[0, 2, 4, 6],
            ProfileClass::Two => &[0, 2, 4],
            ProfileClass::Three => &[0, 4],
            ProfileClass::Four | ProfileClass::Seven => &[0],
        }
    }

    /// Most instances of this class one GPU holds.
    pub fn max_count(self) -> u32 {
        match self {
            ProfileClass::OneSlice => 7,
            ProfileClass::OneSliceMedia | ProfileClass::Four | ProfileClass::Seven => 1,
            ProfileClass::OneSliceDoubleMemory => 4,
            ProfileClass::Two => 3,
            ProfileClass::Three => 2,
        }
    }
}
