//! [`Placed`]: one MIG instance at its place on the slice grid.

use std::fmt;

use crate::profiles::Profile;

/// One instance at its place on the slice grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placed {
    /// The instance's profile.
    pub profile: Profile,
    /// First memory slice it covers.
    pub start: u8,
}

impl Placed {
    /// One past the last memory slice it covers.
    pub fn end(&self) -> u8 {
        self.start + self.profile.class.memory_slices()
    }

    pub(crate) fn overlaps(&self, other: &Placed) -> bool {
        self.start < other.end() && other.start < self.end()
    }
}

impl fmt::Display for Placed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}@{}..{}",
            self.profile.name,
            self.start,
            self.end() - 1
        )
    }
}
