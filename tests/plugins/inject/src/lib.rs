//! Test policy: puts terminal control sequences and a forged line into every
//! text it hands the host, so the host can check it never writes them raw to a
//! terminal, a log line or a table. The text is [`HOSTILE`]: a clear-screen
//! sequence, an OSC window-title change, a red colour, and a line break
//! followed by what looks like a member row.
//!
//! The `mode` setting chooses where the text goes (default `"reasons"`):
//!
//! - `reasons`: one `member-ratio` row (member 0, ratio 10) with it as reason;
//! - `error`: `decide` fails with it as the message;
//! - `panic`: `decide` panics with it as the message (the host shows a trap
//!   together with what the guest wrote to stderr);
//! - `log`: logs it at `warn`, then returns no decisions.

use fulcrum_sdk::{ActionKind, Decisions, Host, Level, Metadata, Policy, SnapshotView};
use serde::Deserialize;

/// The hostile text.
pub const HOSTILE: &str = "injected\x1b[2J\x1b]0;owned\x07\x1b[31m\r\nml-node-9:8080  FORGED ROW";

/// Where to put the hostile text.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    Reasons,
    Error,
    Panic,
    Log,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
}

/// Injects control sequences.
pub struct Inject {
    mode: Mode,
}

impl Policy for Inject {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-inject".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "reasons, errors, panics and logs hold terminal escapes".into(),
            action_kinds: vec![ActionKind::MemberRatio, ActionKind::MemberState],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let Settings { mode } =
            serde_json::from_str(settings).map_err(|error| format!("settings: {error}"))?;
        Ok(Inject { mode })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let mut decisions = Decisions::new();
        match self.mode {
            Mode::Reasons => decisions.set_member_ratio(0, 10, HOSTILE),
            Mode::Error => return Err(HOSTILE.into()),
            Mode::Panic => panic!("{HOSTILE}"),
            Mode::Log => host.log(Level::Warn, HOSTILE),
        }
        Ok(decisions)
    }
}

fulcrum_sdk::export_policy!(Inject);
