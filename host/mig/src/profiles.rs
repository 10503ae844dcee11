//! [`Profile`]: one named MIG profile and its placement class, and the
//! profile table of every GPU model with MIG, smallest profile first.
//!
//! Names and figures follow NVIDIA's MIG user guide ("Supported MIG
//! Profiles").

use crate::class::ProfileClass;

/// One MIG profile of one GPU model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile {
    /// Name as nvidia-smi and mig-parted write it ("3g.40gb").
    pub name: &'static str,
    /// Its placement class.
    pub class: ProfileClass,
}

const fn profile(name: &'static str, class: ProfileClass) -> Profile {
    Profile { name, class }
}

use ProfileClass::{Four, OneSlice, OneSliceDoubleMemory, OneSliceMedia, Seven, Three, Two};

pub(crate) const A100_40: &[Profile] = &[
    profile("1g.5gb", OneSlice),
    profile("1g.5gb+me", OneSliceMedia),
    profile("1g.10gb", OneSliceDoubleMemory),
    profile("2g.10gb", Two),
    profile("3g.20gb", Three),
    profile("4g.20gb", Four),
    profile("7g.40gb", Seven),
];

/// A100 80GB and H100 80GB share profile names and geometry.
pub(crate) const GEN_80: &[Profile] = &[
    profile("1g.10gb", OneSlice),
    profile("1g.10gb+me", OneSliceMedia),
    profile("1g.20gb", OneSliceDoubleMemory),
    profile("2g.20gb", Two),
    profile("3g.40gb", Three),
    profile("4g.40gb", Four),
    profile("7g.80gb", Seven),
];

pub(crate) const H100_NVL: &[Profile] = &[
    profile("1g.12gb", OneSlice),
    profile("1g.12gb+me", OneSliceMedia),
    profile("1g.24gb", OneSliceDoubleMemory),
    profile("2g.24gb", Two),
    profile("3g.47gb", Three),
    profile("4g.47gb", Four),
    profile("7g.94gb", Seven),
];

pub(crate) const H200: &[Profile] = &[
    profile("1g.18gb", OneSlice),
    profile("1g.18gb+me", OneSliceMedia),
    profile("1g.35gb", OneSliceDoubleMemory),
    profile("2g.35gb", Two),
    profile("3g.71gb", Three),
    profile("4g.71gb", Four),
    profile("7g.141gb", Seven),
];
