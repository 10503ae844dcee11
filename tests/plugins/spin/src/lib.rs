//! Test policy: `decide` loops forever, for the host's deadline (epoch
//! interruption) tests. `black_box` keeps the loop from being optimised away.

use std::hint::black_box;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Spins in `decide`.
pub struct Spin;

impl Policy for Spin {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-spin".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide loops forever".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(Spin)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let mut turns = 0u64;
        loop {
            turns = black_box(turns.wrapping_add(1));
        }
    }
}

fulcrum_sdk::export_policy!(Spin);
