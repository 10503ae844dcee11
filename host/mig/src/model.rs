//! [`GpuModel`]: the GPU models whose MIG geometry is known, recognised by
//! the names DCGM, nvidia-smi and the GPU Operator report, each with its
//! profile table.

use std::fmt;

use crate::profiles::{A100_40, GEN_80, H100_NVL, H200, Profile};

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
    use crate::class::ProfileClass::Three;

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
