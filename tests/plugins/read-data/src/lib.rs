//! Test policy: reads `/data/threshold.txt` and tries to write `/data/out.txt`,
//! so the host can check a data directory is reachable only when granted, and
//! only for reading.
//!
//! `decide` returns one `set-member-ratio` for member 0, ratio 1, with the reason
//! `read=<file contents, trimmed> write=<"ok" or "denied">`, or the error
//! `cannot read /data/threshold.txt: …` when the file cannot be read.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};

/// Reads the data directory.
pub struct ReadData;

impl Policy for ReadData {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-read-data".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "reads the granted data directory".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(ReadData)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let text = std::fs::read_to_string("/data/threshold.txt")
            .map_err(|error| format!("cannot read /data/threshold.txt: {error}"))?;
        let write = match std::fs::write("/data/out.txt", b"written") {
            Ok(()) => "ok",
            Err(_) => "denied",
        };
        Ok(vec![actions::set_member_ratio(
            0,
            1,
            format!("read={} write={write}", text.trim()),
        )]
        .into())
    }
}

fulcrum_sdk::export_policy!(ReadData);
