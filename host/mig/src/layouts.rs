//! [`layouts`]: every non-empty layout a GPU model accepts, for a policy
//! that chooses among them.

use crate::model::GpuModel;
use crate::place::place;
use crate::profiles::Profile;

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
