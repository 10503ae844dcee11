//! Test policy: proposes enabling every pool member that is not enabled, each
//! cycle — the policy an operator would not want undoing a MIG drain.

use fulcrum_sdk::{ActionKind, Decisions, Host, MemberState, Metadata, Policy, SnapshotView};

/// Enables whatever is not enabled.
pub struct EnableAll;

impl Policy for EnableAll {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-enable-all".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "enables every pool member that is not enabled".into(),
            action_kinds: vec![ActionKind::MemberState],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(EnableAll)
    }

    fn decide(
        &self,
        snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let mut decisions = Decisions::new();
        for member in snapshot
            .members()
            .filter(|member| member.state() != MemberState::Enabled)
        {
            decisions.set_member_state(member.row(), MemberState::Enabled, "every member serves");
        }
        Ok(decisions)
    }
}

fulcrum_sdk::export_policy!(EnableAll);
