//! MIG geometry against NVIDIA's published layouts: every layout the
//! reference lists as valid is placed on every model it names; overlapping,
//! mis-placed and over-full ones are rejected with the profile and the reason.

use fulcrum_mig::{GpuModel, ProfileClass};
use fulcrum_mig::{check_placed, layouts, place};

/// The class of each name, to state layouts once for every model.
fn name(model: GpuModel, class: ProfileClass) -> &'static str {
    model
        .profiles()
        .iter()
        .find(|p| p.class == class)
        .map(|p| p.name)
        .unwrap()
}

use ProfileClass::{Four, OneSlice, OneSliceDoubleMemory, OneSliceMedia, Seven, Three, Two};

/// The twelve maximal layouts without the 2-slice 1g (reference §3.2), and
/// others NVIDIA documents: the 2-slice 1g alone and beside others, +me.
const VALID: &[&[(ProfileClass, u32)]] = &[
    &[(Seven, 1)],
    &[(Four, 1), (Three, 1)],
    &[(Three, 2)],
    &[(Three, 1), (Two, 2)],
    &[(Three, 1), (Two, 1), (OneSlice, 2)],
    &[(Three, 1), (OneSlice, 4)],
    &[(Four, 1), (Two, 1), (OneSlice, 1)],
    &[(Four, 1), (OneSlice, 3)],
    &[(Two, 3), (OneSlice, 1)],
    &[(Two, 2), (OneSlice, 3)],
    &[(Two, 1), (OneSlice, 5)],
    &[(OneSlice, 7)],
    &[(OneSliceDoubleMemory, 4)],
    &[(Three, 1), (OneSliceDoubleMemory, 2)],
    &[(OneSliceMedia, 1), (OneSlice, 6)],
    &[(OneSliceMedia, 1), (Three, 1), (Two, 1), (OneSlice, 1)],
];

#[test]
fn every_documented_layout_is_accepted_on_every_model() {
    for model in GpuModel::ALL {
        for layout in VALID {
            let counts = layout
                .iter()
                .map(|&(class, count)| (name(model, class), count));
            let placed = place(model, counts).unwrap_or_else(|e| panic!("{layout:?}: {e}"));
            let total: u32 = layout.iter().map(|&(_, c)| c).sum();
            assert_eq!(placed.len() as u32, total, "{model} {layout:?}");
        }
    }
}

#[test]
fn the_all_balanced_configs_of_mig_parted_are_accepted() {
    for (model, layout) in [
        (
            GpuModel::A100_40,
            &[("1g.5gb", 2), ("2g.10gb", 1), ("3g.20gb", 1)][..],
        ),
        (
            GpuModel::A100_80,
            &[("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)],
        ),
        (
            GpuModel::H100_80,
            &[("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)],
        ),
        (
            GpuModel::H100Nvl,
            &[("1g.12gb", 1), ("2g.24gb", 1), ("3g.47gb", 1)],
        ),
        (
            GpuModel::H200,
            &[("1g.18gb", 2), ("2g.35gb", 1), ("3g.71gb", 1)],
        ),
    ] {
        place(model, layout.iter().copied()).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn the_count_of_placeable_layouts_matches_the_derived_figures() {
    // Reference §3.2: 77 placeable multisets (37 without the 2-slice 1g),
    // counting the classes other than +me.
    let without_me: Vec<_> = layouts(GpuModel::H100_80)
        .into_iter()
        .filter(|l| l.iter().all(|(p, _)| p.class != OneSliceMedia))
        .collect();
    assert_eq!(without_me.len(), 77);
    let plain = without_me
        .iter()
        .filter(|l| l.iter().all(|(p, _)| p.class != OneSliceDoubleMemory))
        .count();
    assert_eq!(plain, 37);
}

#[test]
fn large_profiles_are_placed_first_at_legal_starts() {
    // The CLI fails `-cgi 19,19,14,9` but not `9,19,14,19`: 3g goes first.
    let placed = place(
        GpuModel::H100_80,
        [("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)],
    )
    .unwrap();
    let shown: Vec<String> = placed.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "3g.40gb@4..7",
            "2g.20gb@0..1",
            "1g.10gb@2..2",
            "1g.10gb@3..3"
        ]
    );
}

#[test]
fn impossible_layouts_are_rejected_with_the_reason() {
    let model = GpuModel::H100_80;
    let cases: &[(&[(&str, u32)], &str)] = &[
        (
            &[("4g.40gb", 2)],
            "2 × 4g.40gb requested, but one GPU holds at most 1",
        ),
        (&[("1g.10gb+me", 2)], "at most 1"),
        (&[("3g.40gb", 3)], "at most 2"),
        (
            &[("4g.40gb", 1), ("2g.20gb", 2)],
            "needs 8 compute slices; the GPU has 7",
        ),
        (
            &[("3g.40gb", 2), ("1g.10gb", 1)],
            "needs 9 memory slices; the GPU has 8",
        ),
        (&[("7g.80gb", 1), ("1g.10gb", 1)], "needs 8 compute slices"),
        (
            &[("1g.5gb", 1)],
            "unknown MIG profile \"1g.5gb\"; expected one of: 1g.10gb,",
        ),
    ];
    for (layout, expected) in cases {
        let error = place(model, layout.iter().copied())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{layout:?}: {error}");
        assert!(error.starts_with("H100 80GB: "), "{error}");
    }
}

#[test]
fn reported_placements_are_checked() {
    let model = GpuModel::H100_80;
    // As the driver places 3g, 2g and 1g on an H100.
    check_placed(
        model,
        [("3g.40gb", 0, 4), ("2g.20gb", 4, 2), ("1g.10gb", 6, 1)],
    )
    .unwrap();
    // (profile, start slice, size) of each reported instance, and the reason.
    type Placement<'a> = &'a [(&'a str, u8, u8)];
    let cases: &[(Placement<'_>, &str)] = &[
        (
            &[("3g.40gb", 2, 4)],
            "3g.40gb starts at slice 2; it may start only at 0, 4",
        ),
        (
            &[("2g.20gb", 1, 2)],
            "2g.20gb starts at slice 1; it may start only at 0, 2, 4",
        ),
        (&[("1g.10gb", 7, 1)], "1g.10gb starts at slice 7"),
        (
            &[("2g.20gb", 0, 4)],
            "covers 4 memory slices; the profile covers 2",
        ),
        (
            &[("4g.40gb", 0, 4), ("2g.20gb", 2, 2)],
            "4g.40gb@0..3 overlaps 2g.20gb@2..3",
        ),
        (
            &[("3g.40gb", 4, 4), ("1g.20gb", 6, 2)],
            "3g.40gb@4..7 overlaps 1g.20gb@6..7",
        ),
    ];
    for (instances, expected) in cases {
        let error = check_placed(model, instances.iter().copied())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{instances:?}: {error}");
    }
}
