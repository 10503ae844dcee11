//! [`check_placed`]: judge a placement a GPU reports, instance by instance
//! (profile, start and size) and then as a whole layout.

use crate::error::LayoutError;
use crate::model::GpuModel;
use crate::place::place;
use crate::placed::Placed;

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
