//! Test policy: its metadata carries terminal control sequences, so the host
//! can check it never writes them raw to a terminal or a log line. The name
//! (`test-escape-metadata`) is valid; the version is `"1.0\x1b[2J"` (clear
//! screen) and the description is `"fine\r\nFORGED LINE\x1b]0;pwned\x07"` (a
//! forged log line and a window-title change). `configure` accepts anything
//! and `decide` returns no decisions.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Version string with a clear-screen sequence.
const VERSION: &str = "1.0\x1b[2J";
/// Description with a forged line and an OSC window-title sequence.
const DESCRIPTION: &str = "fine\r\nFORGED LINE\x1b]0;pwned\x07";

/// Hides escape sequences in its metadata.
pub struct EscapeMetadata;

impl Policy for EscapeMetadata {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-escape-metadata".into(),
            version: VERSION.into(),
            description: DESCRIPTION.into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(EscapeMetadata)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(EscapeMetadata);
