//! Test policy: `decide` recurses without bound, for the host's stack-overflow
//! tests. Each frame keeps a value alive across the call and passes the result
//! through `black_box`, so the optimiser cannot turn the recursion into a loop.
//! It ends in a trap when the wasm stack (or the shadow stack in linear memory)
//! runs out.

use std::hint::black_box;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Recurses in `decide`.
pub struct Recurse;

impl Policy for Recurse {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-recurse".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide recurses without bound".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(Recurse)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let depth = descend(0);
        Err(format!(
            "returned from a recursion that never ends, at depth {depth}"
        ))
    }
}

/// Calls itself with `depth + 1`; only an impossible `black_box` result stops it.
#[inline(never)]
fn descend(depth: u64) -> u64 {
    let frame = black_box([depth, depth ^ 0x5a5a, depth.rotate_left(7)]);
    if frame[0] == u64::MAX {
        return 0;
    }
    let below = descend(frame[0] + 1);
    black_box(below) ^ frame[1] ^ frame[2]
}

fulcrum_sdk::export_policy!(Recurse);
