//! Test policy: panics inside `configure` on request, so the host can check a
//! trap while loading or configuring a policy is contained. The `mode` setting
//! chooses (default `"configure"`):
//!
//! - `{"mode": "configure"}`: `configure` panics with "configure bug" (panics
//!   abort on `wasm32-wasip2`, so the host sees a trap);
//! - `{"mode": "decide"}`: well-behaved; `decide` returns no decisions.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};
use serde::Deserialize;

/// Where to panic, if anywhere.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    Configure,
    Decide,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
}

/// Panics in `configure` when asked to.
pub struct Panicky;

impl Policy for Panicky {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-panicky".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "configure panics on request".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let Settings { mode } =
            serde_json::from_str(settings).map_err(|error| format!("settings: {error}"))?;
        match mode {
            Mode::Configure => panic!("configure bug"),
            Mode::Decide => Ok(Panicky),
        }
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(Panicky);
