//! The MIG profile tables: which GPU models support MIG, the profiles each
//! offers, and the placement class of every profile (memory slices it covers,
//! compute slices it takes, legal start slices, how many fit on one GPU).
//!
//! Figures follow NVIDIA's MIG user guide ("Supported MIG Profiles" and the
//! placement tables) for the 8-memory-slice, 7-compute-slice GPUs.
//!
//! This file and `geometry.rs` use only `std`, so a policy can share them.

use std::fmt;

/// Memory slices of one MIG-capable GPU, numbered 0..=7.
pub const MEMORY_SLICES: u8 = 8;
/// Compute slices (GPCs) of one MIG-capable GPU.
pub const COMPUTE_SLICES: u8 = 7;

/// A GPU model whose MIG geometry is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GpuModel {
    /// A100 40GB (SXM4 and PCIe).
    A100_40,
    /// A100 80GB (SXM4 and PCIe).
    A100_80,
    /// H100 80GB (SXM5 HBM3 and PCIe).
    H100_80,
    /// H100 NVL, 94GB.
    H100Nvl,
    /// H200, 141GB (SXM and NVL).
    H200,
}

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

const A100_40: &[Profile] = &[
    profile("1g.5gb", OneSlice),
    profile("1g.5gb+me", OneSliceMedia),
    profile("1g.10gb", OneSliceDoubleMemory),
    profile("2g.10gb", Two),
    profile("3g.20gb", Three),
    profile("4g.20gb", Four),
    profile("7g.40gb", Seven),
];

/// A100 80GB and H100 80GB share profile names and geometry.
const GEN_80: &[Profile] = &[
    profile("1g.10gb", OneSlice),
    profile("1g.10gb+me", OneSliceMedia),
    profile("1g.20gb", OneSliceDoubleMemory),
    profile("2g.20gb", Two),
    profile("3g.40gb", Three),
    profile("4g.40gb", Four),
    profile("7g.80gb", Seven),
];

const H100_NVL: &[Profile] = &[
    profile("1g.12gb", OneSlice),
    profile("1g.12gb+me", OneSliceMedia),
    profile("1g.24gb", OneSliceDoubleMemory),
    profile("2g.24gb", Two),
    profile("3g.47gb", Three),
    profile("4g.47gb", Four),
    profile("7g.94gb", Seven),
];

const H200: &[Profile] = &[
    profile("1g.18gb", OneSlice),
    profile("1g.18gb+me", OneSliceMedia),
    profile("1g.35gb", OneSliceDoubleMemory),
    profile("2g.35gb", Two),
    profile("3g.71gb", Three),
    profile("4g.71gb", Four),
    profile("7g.141gb", Seven),
];

impl GpuModel {
    /// Every model with a profile table.
    pub const ALL: [GpuModel; 5] = [
        GpuModel::A100_40,
        GpuModel::A100_80,
        GpuModel::H100_80,
        GpuModel::H100Nvl,
        GpuModel::H200,
    ];

    /// The model a DCGM `modelName`, an nvidia-smi name or a GPU Operator
    /// `nvidia.com/gpu.product` label denotes ("NVIDIA H100 80GB HBM3",
    /// "NVIDIA A100-SXM4-40GB", "NVIDIA-H100-80GB-HBM3"); `None` for GPUs
    /// without MIG or without a known table (GH200, B200, A30).
    pub fn from_name(name: &str) -> Option<GpuModel> {
        let name = name.to_ascii_uppercase().replace(['-', '_'], " ");
        let has = |word: &str| name.split_whitespace().any(|w| w == word);
        let mentions = |part: &str| name.contains(part);
        if mentions("GH200") || mentions("GH100") {
            None
        } else if mentions("H200") {
            Some(GpuModel::H200)
        } else if mentions("H100") && (has("NVL") || mentions("94GB")) {
            Some(GpuModel::H100Nvl)
        } else if mentions("H100") && !mentions("96GB") {
            Some(GpuModel::H100_80)
        } else if mentions("A100") && mentions("80GB") {
            Some(GpuModel::A100_80)
        } else if mentions("A100") && mentions("40GB") {
            Some(GpuModel::A100_40)
        } else {
            None
        }
    }

    /// The profiles this model offers, smallest first.
    pub fn profiles(self) -> &'static [Profile] {
        match self {
            GpuModel::A100_40 => A100_40,
            GpuModel::A100_80 | GpuModel::H100_80 => GEN_80,
            GpuModel::H100Nvl => H100_NVL,
            GpuModel::H200 => H200,
        }
    }

    /// The profile called `name` on this model.
    pub fn profile(self, name: &str) -> Option<Profile> {
        self.profiles().iter().copied().find(|p| p.name == name)
    }
}

impl fmt::Display for GpuModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GpuModel::A100_40 => "A100 40GB",
            GpuModel::A100_80 => "A100 80GB",
            GpuModel::H100_80 => "H100 80GB",
            GpuModel::H100Nvl => "H100 NVL 94GB",
            GpuModel::H200 => "H200 141GB",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reported_model_names_map_to_their_tables() {
        for (name, model) in [
            ("NVIDIA H100 80GB HBM3", Some(GpuModel::H100_80)),
            ("NVIDIA H100 PCIe", Some(GpuModel::H100_80)),
            ("NVIDIA-H100-80GB-HBM3", Some(GpuModel::H100_80)),
            ("NVIDIA H100 NVL", Some(GpuModel::H100Nvl)),
            ("NVIDIA H200", Some(GpuModel::H200)),
            ("NVIDIA H200 NVL", Some(GpuModel::H200)),
            ("NVIDIA A100-SXM4-40GB", Some(GpuModel::A100_40)),
            ("NVIDIA A100-PCIE-40GB", Some(GpuModel::A100_40)),
            ("NVIDIA A100-SXM4-80GB", Some(GpuModel::A100_80)),
            ("NVIDIA A100 80GB PCIe", Some(GpuModel::A100_80)),
            ("NVIDIA GH200 480GB", None),
            ("NVIDIA H100 96GB HBM3", None),
            ("Tesla T4", None),
            ("NVIDIA A10G", None),
        ] {
            assert_eq!(GpuModel::from_name(name), model, "{name}");
        }
    }

    #[test]
    fn every_table_has_one_profile_per_class() {
        for model in GpuModel::ALL {
            let mut classes: Vec<_> = model.profiles().iter().map(|p| p.class).collect();
            classes.dedup();
            assert_eq!(classes.len(), 7, "{model}");
        }
        assert_eq!(
            GpuModel::H100_80.profile("3g.40gb").map(|p| p.class),
            Some(Three)
        );
        assert_eq!(GpuModel::A100_40.profile("3g.40gb"), None);
    }
}
