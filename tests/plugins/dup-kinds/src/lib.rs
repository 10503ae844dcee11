//! Test policy: its metadata declares the action kind `member-ratio` twice;
//! otherwise it is well-behaved (`configure` accepts anything, `decide` returns
//! no decisions).

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Declares one action kind twice.
pub struct DupKinds;

impl Policy for DupKinds {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-dup-kinds".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "declares member-ratio twice".into(),
            action_kinds: vec![ActionKind::MemberRatio, ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(DupKinds)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(DupKinds);
