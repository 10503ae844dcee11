//! Test policy: `decide` allocates 1 MiB blocks without bound, writing to every
//! page so the memory is really used, for the host's memory-cap tests. It ends
//! when an allocation fails, which aborts (a trap).

use std::hint::black_box;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

const BLOCK: usize = 1 << 20;
const PAGE: usize = 4096;

/// Hoards memory in `decide`.
pub struct AllocBomb;

impl Policy for AllocBomb {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-alloc-bomb".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide allocates without bound".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(AllocBomb)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut block = vec![0u8; BLOCK];
            for (page, byte) in block.iter_mut().step_by(PAGE).enumerate() {
                *byte = page as u8 | 1;
            }
            hoard.push(black_box(block));
            black_box(&hoard);
        }
    }
}

fulcrum_sdk::export_policy!(AllocBomb);
