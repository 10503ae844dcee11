//! [`placements`]: where on the slice grid MIG instances a source reports
//! without a placement sit. DCGM names
//! each instance's profile and GPU instance id but not where it sits on the
//! slice grid; the instances of one GPU are given the placement [`place`]
//! computes for their profiles (the order the driver creates them in), each
//! profile's slots going to its instances in id order.

use fulcrum_mig::GpuModel;
use fulcrum_mig::place;

/// `(start, size)` in memory slices for each instance `(profile, id)` of one
/// GPU of `model`, in the order given; `(0, 0)` for every instance when the
/// model has no profile table or the profiles have no placement.
pub fn placements(model: &str, instances: &[(&str, u32)]) -> Vec<(u8, u8)> {
    if instances.is_empty() {
        return Vec::new();
    }
    let unknown = vec![(0, 0); instances.len()];
    let Some(model) = GpuModel::from_name(model) else {
        return unknown;
    };
    let Ok(placed) = place(model, instances.iter().map(|&(profile, _)| (profile, 1))) else {
        return unknown;
    };
    let mut order: Vec<usize> = (0..instances.len()).collect();
    order.sort_by_key(|&i| instances[i].1);
    let mut slots: Vec<Option<(u8, u8)>> = vec![None; instances.len()];
    let mut taken = vec![false; placed.len()];
    for i in order {
        let mut free: Vec<usize> = (0..placed.len())
            .filter(|&p| !taken[p] && placed[p].profile.name == instances[i].0)
            .collect();
        free.sort_by_key(|&p| placed[p].start);
        if let Some(&p) = free.first() {
            taken[p] = true;
            slots[i] = Some((placed[p].start, placed[p].profile.class.memory_slices()));
        }
    }
    slots
        .into_iter()
        .map(|slot| slot.unwrap_or((0, 0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const H100: &str = "NVIDIA H100 80GB HBM3";

    #[test]
    fn instances_take_their_profiles_slots_in_id_order() {
        let got = placements(
            H100,
            &[
                ("1g.10gb", 10),
                ("3g.40gb", 2),
                ("1g.10gb", 9),
                ("2g.20gb", 3),
            ],
        );
        let three = got[1];
        assert_eq!(three.1, 4);
        assert_eq!(got[3].1, 2);
        assert!(got[2].0 < got[0].0, "GI 9 before GI 10: {got:?}");
        let mut ranges: Vec<(u8, u8)> = got.iter().map(|&(s, n)| (s, s + n)).collect();
        ranges.sort();
        assert!(
            ranges.windows(2).all(|w| w[0].1 <= w[1].0),
            "no overlap: {got:?}"
        );
    }

    #[test]
    fn unknown_models_and_impossible_layouts_have_no_placement() {
        assert_eq!(placements("Tesla T4", &[("1g.10gb", 1)]), vec![(0, 0)]);
        assert_eq!(
            placements(H100, &[("7g.80gb", 1), ("1g.10gb", 2)]),
            vec![(0, 0), (0, 0)]
        );
    }
}
