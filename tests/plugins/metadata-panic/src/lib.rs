//! Test policy: `metadata` panics with "metadata bug" (panics abort on
//! `wasm32-wasip2`, so the host sees a trap while loading the policy).
//! `configure` accepts anything and `decide` returns no decisions.

use fulcrum_sdk::{Decisions, Host, Metadata, Policy, SnapshotView};

/// Panics in `metadata`.
pub struct MetadataPanic;

impl Policy for MetadataPanic {
    fn metadata() -> Metadata {
        panic!("metadata bug")
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(MetadataPanic)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(MetadataPanic);
