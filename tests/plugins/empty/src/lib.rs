//! Test policy: does nothing, so an evaluation costs only the host's own
//! overhead (instantiation, `configure`, passing the snapshot, `decide`).
//!
//! `configure` accepts any settings except `{"reject": true}`, which fails with
//! `settings.reject: rejected on purpose`. It looks for that key by text, not
//! with a JSON parser, to keep the component minimal.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Decides nothing.
pub struct Empty;

impl Policy for Empty {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-empty".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide returns no decisions".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let compact: String = settings.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("\"reject\":true") {
            return Err("settings.reject: rejected on purpose".into());
        }
        Ok(Empty)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(Empty);
