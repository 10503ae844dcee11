//! Test policy: proposes a MIG layout that names one GPU twice, so the host can
//! check it rejects duplicate GPU rows. `decide` returns one `set-mig-layout`
//! for node 0 with GPUs `[0, 0]` and profiles `[("1g.10gb", 7)]`.

use fulcrum_sdk::{
    ActionKind, Decisions, Host, Metadata, Policy, ProfileCount, SnapshotView, actions,
};

/// Names a GPU twice.
pub struct MigDup;

impl Policy for MigDup {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-mig-dup".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "a MIG layout that names one GPU twice".into(),
            action_kinds: vec![ActionKind::MigLayout],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(MigDup)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let profiles = vec![ProfileCount {
            profile: "1g.10gb".into(),
            count: 7,
        }];
        Ok(vec![actions::set_mig_layout(
            0,
            vec![0, 0],
            profiles,
            "GPU row 0 listed twice",
        )]
        .into())
    }
}

fulcrum_sdk::export_policy!(MigDup);
