//! [`place`]: find a placement for a layout, a multiset of profiles
//! ("2 × 1g.10gb, 1 × 3g.40gb"), on a GPU model.
//!
//! A layout is accepted when every profile exists on the model, no class
//! exceeds its per-GPU count, the compute and memory slices suffice, and a
//! placement exists: every instance starts at a legal slice and no two
//! memory ranges overlap. The placement lists the largest profiles first, as
//! the driver needs them created; when there is none, the error says which
//! profile fits nowhere.
//!
//! On the 8-slice grid the per-class counts and the slice totals already rule
//! out every layout that has no placement; the search still runs, both to
//! compute the starts and to keep the check whole if a table changes.

use crate::class::{COMPUTE_SLICES, MEMORY_SLICES};
use crate::error::LayoutError;
use crate::model::GpuModel;
use crate::placed::Placed;
use crate::profiles::Profile;

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
