//! Test policy: `metadata` is enormous, a 16 MiB description and 16,000,000
//! action kinds (all `member-ratio`), so the host can check it bounds what it
//! reads while loading a policy. `configure` accepts anything and `decide`
//! returns no decisions.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Size of the description.
const DESCRIPTION: usize = 16 << 20;
/// Number of action kinds.
const KINDS: usize = 16_000_000;

/// Returns huge metadata.
pub struct HugeMetadata;

impl Policy for HugeMetadata {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-huge-metadata".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "d".repeat(DESCRIPTION),
            action_kinds: vec![ActionKind::MemberRatio; KINDS],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(HugeMetadata)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(HugeMetadata);
