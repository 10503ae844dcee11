//! [`GpuUuid`]: a GPU's UUID, which the snapshot carries as 128 bits
//! (`gpus.uuid-high` and `gpus.uuid-low`) and people read as NVIDIA's
//! `GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.

use std::fmt;
use std::str::FromStr;

/// A GPU UUID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GpuUuid(pub u128);

impl GpuUuid {
    /// The UUID whose halves are `high` (first 8 bytes) and `low`; `None`
    /// for the contract's "no UUID", both 0.
    pub fn from_halves(high: u64, low: u64) -> Option<GpuUuid> {
        let bits = (u128::from(high) << 64) | u128::from(low);
        (bits != 0).then_some(GpuUuid(bits))
    }

    /// The first 8 bytes and the last 8, as the snapshot's columns hold them.
    pub fn halves(self) -> (u64, u64) {
        ((self.0 >> 64) as u64, self.0 as u64)
    }
}

/// `GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f`
impl fmt::Display for GpuUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = format!("{:032x}", self.0);
        write!(
            f,
            "GPU-{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

/// Why text is not a GPU UUID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotAGpuUuid(pub String);

impl fmt::Display for NotAGpuUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a GPU UUID (GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
            self.0
        )
    }
}

impl std::error::Error for NotAGpuUuid {}

impl FromStr for GpuUuid {
    type Err = NotAGpuUuid;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let not = || NotAGpuUuid(text.to_owned());
        let groups: Vec<&str> = text
            .strip_prefix("GPU-")
            .ok_or_else(not)?
            .split('-')
            .collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        let hex = groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
        if lengths != [8, 4, 4, 4, 12] || !hex {
            return Err(not());
        }
        u128::from_str_radix(&groups.concat(), 16)
            .map(GpuUuid)
            .map_err(|_| not())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_nvidia_form() {
        let text = "GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f";
        let uuid: GpuUuid = text.parse().unwrap();
        assert_eq!(uuid.to_string(), text);
        assert_eq!(
            uuid.halves(),
            (0x8a2c_6d3e_1f4b_4c5d, 0x9e6f_0a1b_2c3d_4e5f)
        );
        let (high, low) = uuid.halves();
        assert_eq!(GpuUuid::from_halves(high, low), Some(uuid));
        assert_eq!(GpuUuid::from_halves(0, 0), None);
    }

    #[test]
    fn other_text_is_refused_with_the_form() {
        for text in ["", "GPU-aaaa", "MIG-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f"] {
            let error = text.parse::<GpuUuid>().unwrap_err();
            assert!(error.to_string().contains("is not a GPU UUID"), "{error}");
        }
    }
}
