//! Checks MIG layouts against a GPU model's placement rules.
//!
//! A layout is a multiset of profiles ("2 × 1g.10gb, 1 × 3g.40gb"). It is
//! accepted when every profile exists on the model, no class exceeds its
//! per-GPU count, the compute and memory slices suffice, and a placement
//! exists: every instance starts at a legal slice and no two memory ranges
//! overlap. [`place`] finds such a placement (largest profiles first, as the
//! driver needs them created) or says which profile fits nowhere;
//! [`check_placed`] judges a placement reported by a GPU.
//!
//! On the 8-slice grid the per-class counts and the slice totals already rule
//! out every layout that has no placement; the search still runs, both to
//! compute the starts and to keep the check whole if a table changes.

use std::fmt;

use super::profiles::{COMPUTE_SLICES, GpuModel, MEMORY_SLICES, Profile};

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

    fn overlaps(&self, other: &Placed) -> bool {
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

/// Why a layout or placement is not possible on a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// The model has no profile of that name.
    UnknownProfile { model: GpuModel, profile: String },
    /// More instances of a profile than one GPU holds.
    TooMany {
        model: GpuModel,
        profile: &'static str,
        count: u32,
        max: u32,
    },
    /// The instances need more compute slices than the GPU has.
    ComputeExceeded { model: GpuModel, needed: u32 },
    /// The instances need more memory slices than the GPU has.
    MemoryExceeded { model: GpuModel, needed: u32 },
    /// No legal start is free for `profile` once the others are placed.
    NoPlacement {
        model: GpuModel,
        profile: &'static str,
        starts: &'static [u8],
        placed: Vec<Placed>,
    },
    /// A reported instance starts where its profile may not.
    BadStart { model: GpuModel, instance: Placed },
    /// A reported instance covers a number of slices its profile does not.
    BadSize {
        model: GpuModel,
        instance: Placed,
        size: u8,
    },
    /// Two reported instances share memory slices.
    Overlap {
        model: GpuModel,
        first: Placed,
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

/// Find a placement for `counts` (profile name, number of instances) on
/// `model`. Repeated names add up; zero counts are ignored; an empty layout
/// (MIG on, no instances) is accepted. The placement lists the largest
/// instances first, each at the lowest start that leaves room for the rest.
pub fn place<'a>(
    model: GpuModel,
    counts: impl IntoIterator<Item = (&'a str, u32)>,
) -> Result<Vec<Placed>, LayoutError> {
    let mut wanted: Vec<(Profile, u32)> = Vec::new();
    for (name, count) in counts {
        let profile = model
            .profile(name)
            .ok_or_else(|| LayoutError::UnknownProfile {
                model,
                profile: name.to_owned(),
            })?;
        match wanted.iter_mut().find(|(p, _)| *p == profile) {
            Some((_, total)) => *total = total.saturating_add(count),
            None => wanted.push((profile, count)),
        }
    }
    let mut compute = 0u32;
    let mut memory = 0u32;
    for &(profile, count) in &wanted {
        let max = profile.class.max_count();
        if count > max {
            return Err(LayoutError::TooMany {
                model,
                profile: profile.name,
                count,
                max,
            });
        }
        compute += count * u32::from(profile.class.compute_slices());
        memory += count * u32::from(profile.class.memory_slices());
    }
    if compute > u32::from(COMPUTE_SLICES) {
        return Err(LayoutError::ComputeExceeded {
            model,
            needed: compute,
        });
    }
    if memory > u32::from(MEMORY_SLICES) {
        return Err(LayoutError::MemoryExceeded {
            model,
            needed: memory,
        });
    }
    let mut instances: Vec<Profile> = wanted
        .iter()
        .flat_map(|&(profile, count)| std::iter::repeat_n(profile, count as usize))
        .collect();
    // Large and constrained profiles first, as the driver wants them created.
    instances.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.class.memory_slices()),
            p.class.starts().len(),
        )
    });
    let mut search = Search {
        placed: Vec::with_capacity(instances.len()),
        deepest: None,
    };
    if search.run(&instances) {
        return Ok(search.placed);
    }
    let (profile, placed) = search
        .deepest
        .expect("a failed search records where it failed");
    Err(LayoutError::NoPlacement {
        model,
        profile: profile.name,
        starts: profile.class.starts(),
        placed,
    })
}

/// Backtracking over start slices; remembers the deepest dead end for the error.
struct Search {
    placed: Vec<Placed>,
    deepest: Option<(Profile, Vec<Placed>)>,
}

impl Search {
    fn run(&mut self, rest: &[Profile]) -> bool {
        let Some((&profile, rest)) = rest.split_first() else {
            return true;
        };
        for &start in profile.class.starts() {
            let candidate = Placed { profile, start };
            if candidate.end() > MEMORY_SLICES || self.placed.iter().any(|p| p.overlaps(&candidate))
            {
                continue;
            }
            self.placed.push(candidate);
            if self.run(rest) {
                return true;
            }
            self.placed.pop();
        }
        let depth = self.placed.len();
        if self
            .deepest
            .as_ref()
            .is_none_or(|(_, placed)| placed.len() < depth)
        {
            self.deepest = Some((profile, self.placed.clone()));
        }
        false
    }
}

/// Check a placement a GPU reports: `(profile, start, size)` per instance,
/// as in the snapshot's `mig-instances` columns.
pub fn check_placed<'a>(
    model: GpuModel,
    instances: impl IntoIterator<Item = (&'a str, u8, u8)>,
) -> Result<Vec<Placed>, LayoutError> {
    let mut placed: Vec<Placed> = Vec::new();
    for (name, start, size) in instances {
        let profile = model
            .profile(name)
            .ok_or_else(|| LayoutError::UnknownProfile {
                model,
                profile: name.to_owned(),
            })?;
        let instance = Placed { profile, start };
        if !profile.class.starts().contains(&start) {
            return Err(LayoutError::BadStart { model, instance });
        }
        if size != profile.class.memory_slices() {
            return Err(LayoutError::BadSize {
                model,
                instance,
                size,
            });
        }
        if let Some(&first) = placed.iter().find(|p| p.overlaps(&instance)) {
            return Err(LayoutError::Overlap {
                model,
                first,
                second: instance,
            });
        }
        placed.push(instance);
    }
    let counts: Vec<(&str, u32)> = placed.iter().map(|p| (p.profile.name, 1)).collect();
    place(model, counts)?;
    Ok(placed)
}

/// Every non-empty layout that fits `model`, as profile counts in the order
/// of [`GpuModel::profiles`] (zero counts left out).
pub fn layouts(model: GpuModel) -> Vec<Vec<(Profile, u32)>> {
    let profiles = model.profiles();
    let mut counts = vec![0u32; profiles.len()];
    let mut found = Vec::new();
    loop {
        // Odometer over 0..=max_count per profile.
        let mut digit = 0;
        loop {
            if digit == profiles.len() {
                return found;
            }
            if counts[digit] < profiles[digit].class.max_count() {
                counts[digit] += 1;
                break;
            }
            counts[digit] = 0;
            digit += 1;
        }
        let layout: Vec<(Profile, u32)> = profiles
            .iter()
            .zip(&counts)
            .filter(|&(_, &count)| count > 0)
            .map(|(&profile, &count)| (profile, count))
            .collect();
        if place(model, layout.iter().map(|&(p, c)| (p.name, c))).is_ok() {
            found.push(layout);
        }
    }
}
