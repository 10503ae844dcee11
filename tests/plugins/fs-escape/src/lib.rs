//! Test policy: tries to get out of the read-only data directory the host
//! grants at `/data`, so the host can check the sandbox holds. The `mode`
//! setting chooses how (default `"dotdot"`):
//!
//! - `dotdot`: reads `/data/../secret`;
//! - `absolute`: reads `/etc/passwd`;
//! - `symlink`: reads `/data/link` (the test makes it a symlink to a file
//!   outside the directory);
//! - `write`: creates and writes `/data/new-file`.
//!
//! `decide` always fails, so the test can tell what happened from the message:
//! `<mode>: <io error>` when the attempt failed, `escaped: <mode>` when it
//! succeeded.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};
use serde::Deserialize;

/// How to try to escape.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    Dotdot,
    Absolute,
    Symlink,
    Write,
}

impl Mode {
    /// The mode as it is written in the settings.
    fn name(self) -> &'static str {
        match self {
            Mode::Dotdot => "dotdot",
            Mode::Absolute => "absolute",
            Mode::Symlink => "symlink",
            Mode::Write => "write",
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
}

/// Tries to escape the data directory.
pub struct FsEscape {
    mode: Mode,
}

impl Policy for FsEscape {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-fs-escape".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "tries to reach files outside its data directory".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let Settings { mode } =
            serde_json::from_str(settings).map_err(|error| format!("settings: {error}"))?;
        Ok(FsEscape { mode })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let attempt = match self.mode {
            Mode::Dotdot => std::fs::read("/data/../secret").map(drop),
            Mode::Absolute => std::fs::read("/etc/passwd").map(drop),
            Mode::Symlink => std::fs::read("/data/link").map(drop),
            Mode::Write => std::fs::write("/data/new-file", b"escaped"),
        };
        let mode = self.mode.name();
        match attempt {
            Ok(()) => Err(format!("escaped: {mode}")),
            Err(error) => Err(format!("{mode}: {error}")),
        }
    }
}

fulcrum_sdk::export_policy!(FsEscape);
