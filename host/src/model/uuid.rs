//! GPU UUIDs as the snapshot carries them: NVIDIA's `GPU-xxxxxxxx-xxxx-xxxx-
//! xxxx-xxxxxxxxxxxx` text as 128 bits, split into the contract's
//! `uuid-high` and `uuid-low` halves.

/// The halves of `text`, a GPU UUID; `None` when it is not one.
pub fn gpu_uuid_halves(text: &str) -> Option<(u64, u64)> {
    let hex = text.strip_prefix("GPU-")?;
    let groups: Vec<&str> = hex.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    if lengths != [8, 4, 4, 4, 12]
        || !groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    let bits = u128::from_str_radix(&groups.concat(), 16).ok()?;
    Some(((bits >> 64) as u64, bits as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nvidia_uuids_split_into_halves() {
        assert_eq!(
            gpu_uuid_halves("GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f"),
            Some((0x8a2c_6d3e_1f4b_4c5d, 0x9e6f_0a1b_2c3d_4e5f))
        );
        assert_eq!(
            gpu_uuid_halves("GPU-FFFFFFFF-0000-0000-0000-000000000001"),
            Some((0xffff_ffff_0000_0000, 1))
        );
    }

    #[test]
    fn anything_else_is_not_a_gpu_uuid() {
        for text in [
            "",
            "GPU-0",
            "MIG-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f",
            "GPU-8a2c6d3e1f4b4c5d9e6f0a1b2c3d4e5f",
            "GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5g",
            "GPU-+a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f",
        ] {
            assert_eq!(gpu_uuid_halves(text), None, "{text}");
        }
    }
}
