//! Test policy: `decide` panics with "policy bug: index out of range". Panics
//! abort on `wasm32-wasip2`, so the host sees a trap.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Panics in `decide`.
pub struct Trap;

impl Policy for Trap {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-trap".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide panics".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(Trap)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        panic!("policy bug: index out of range")
    }
}

fulcrum_sdk::export_policy!(Trap);
