//! [`LayoutError`]: why a layout or a reported placement is not possible on
//! a GPU model, in words an operator understands.

use std::fmt;

use crate::class::{COMPUTE_SLICES, MEMORY_SLICES};
use crate::model::GpuModel;
use crate::placed::Placed;

/// Why a layout or placement is not possible on a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// The model has no profile of that name.
    UnknownProfile {
        /// The GPUs' model.
        model: GpuModel,
        /// The name asked for.
        profile: String,
    },
    /// More instances of a profile than one GPU holds.
    TooMany {
        /// The GPUs' model.
        model: GpuModel,
        /// The profile.
        profile: &'static str,
        /// Instances asked for.
        count: u32,
        /// Most instances one GPU holds.
        max: u32,
    },
    /// The instances need more compute slices than the GPU has.
    ComputeExceeded {
        /// The GPUs' model.
        model: GpuModel,
        /// Compute slices the instances need.
        needed: u32,
    },
    /// The instances need more memory slices than the GPU has.
    MemoryExceeded {
        /// The GPUs' model.
        model: GpuModel,
        /// Memory slices the instances need.
        needed: u32,
    },
    /// No legal start is free for `profile` once the others are placed.
    NoPlacement {
        /// The GPUs' model.
        model: GpuModel,
        /// The profile that fits nowhere.
        profile: &'static str,
        /// Its legal start slices.
        starts: &'static [u8],
        /// The instances already placed when the search got furthest.
        placed: Vec<Placed>,
    },
    /// A reported instance starts where its profile may not.
    BadStart {
        /// The GPU's model.
        model: GpuModel,
        /// The instance as reported.
        instance: Placed,
    },
    /// A reported instance covers a number of slices its profile does not.
    BadSize {
        /// The GPU's model.
        model: GpuModel,
        /// The instance as reported.
        instance: Placed,
        /// Memory slices it is reported to cover.
        size: u8,
    },
    /// Two reported instances share memory slices.
    Overlap {
        /// The GPU's model.
        model: GpuModel,
        /// The instance reported first.
        first: Placed,
        /// The one that overlaps it.
        second: Placed,
    },
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::UnknownProfile { model, profile } => {
                let known: Vec<&str> = model.profiles().iter().map(|p| p.name).collect();
                write!(
                    f,
                    "{model}: unknown MIG profile \"{profile}\"; expected one of: {}",
                    known.join(", ")
                )
            }
            LayoutError::TooMany {
                model,
                profile,
                count,
                max,
            } => write!(
                f,
                "{model}: {count} × {profile} requested, but one GPU holds at most {max}"
            ),
            LayoutError::ComputeExceeded { model, needed } => write!(
                f,
                "{model}: the layout needs {needed} compute slices; the GPU has {COMPUTE_SLICES}"
            ),
            LayoutError::MemoryExceeded { model, needed } => write!(
                f,
                "{model}: the layout needs {needed} memory slices; the GPU has {MEMORY_SLICES}"
            ),
            LayoutError::NoPlacement {
                model,
                profile,
                starts,
                placed,
            } => {
                let starts: Vec<String> = starts.iter().map(u8::to_string).collect();
                let placed: Vec<String> = placed.iter().map(Placed::to_string).collect();
                write!(
                    f,
                    "{model}: {profile} fits at none of its start slices {} once {} are placed",
                    starts.join(", "),
                    if placed.is_empty() {
                        "no others".to_owned()
                    } else {
                        placed.join(", ")
                    }
                )
            }
            LayoutError::BadStart { model, instance } => {
                let starts: Vec<String> = instance
                    .profile
                    .class
                    .starts()
                    .iter()
                    .map(u8::to_string)
                    .collect();
                write!(
                    f,
                    "{model}: {} starts at slice {}; it may start only at {}",
                    instance.profile.name,
                    instance.start,
                    starts.join(", ")
                )
            }
            LayoutError::BadSize {
                model,
                instance,
                size,
            } => write!(
                f,
                "{model}: {} at slice {} covers {size} memory slices; the profile covers {}",
                instance.profile.name,
                instance.start,
                instance.profile.class.memory_slices()
            ),
            LayoutError::Overlap {
                model,
                first,
                second,
            } => write!(f, "{model}: {first} overlaps {second}"),
        }
    }
}

impl std::error::Error for LayoutError {}
