//! Test policy: `decide` returns output the host must reject, chosen by the
//! `mode` setting (default `"bad-row"`):
//!
//! - `{"mode": "bad-row"}`: `set-member-ratio` for member row 999999;
//! - `{"mode": "undeclared-kind"}`: `resize-group`, a kind its metadata does not
//!   declare (it declares only `member-ratio`);
//! - `{"mode": "bad-ratio"}`: `set-member-ratio` of member 0 to ratio 0.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};
use serde::Deserialize;

/// Which invalid output to return.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    BadRow,
    UndeclaredKind,
    BadRatio,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
}

/// Returns invalid actions.
pub struct BadOutput {
    mode: Mode,
}

impl Policy for BadOutput {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-bad-output".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "decide returns invalid actions".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let Settings { mode } =
            serde_json::from_str(settings).map_err(|error| format!("settings: {error}"))?;
        Ok(BadOutput { mode })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(vec![match self.mode {
            Mode::BadRow => actions::set_member_ratio(999_999, 10, "member row out of range"),
            Mode::UndeclaredKind => {
                actions::resize_group(0, 3, "an action kind not declared in metadata")
            }
            Mode::BadRatio => actions::set_member_ratio(0, 0, "ratio 0 is out of range"),
        }]
        .into())
    }
}

fulcrum_sdk::export_policy!(BadOutput);
