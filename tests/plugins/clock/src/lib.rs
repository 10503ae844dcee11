//! Test policy: reports the wall clock and randomness it sees, so the host can
//! check they are the snapshot's time and its per-evaluation seeded generator.
//!
//! `decide` returns one `set-member-ratio` for member 0, ratio 1, with the reason
//! `now_ms=<SystemTime::now() since the Unix epoch, in ms> random=<u64>`. The
//! random number is `getrandom::u64()`, which calls `wasi:random/random`
//! `get-random-u64` (std itself only uses `wasi:random/insecure-seed`, for
//! `HashMap` keys).

use std::time::{SystemTime, UNIX_EPOCH};

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};

/// Reports what it sees.
pub struct Clock;

impl Policy for Clock {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-clock".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "reports the clock and randomness it sees".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: &str) -> Result<Self, String> {
        Ok(Clock)
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|error| format!("the clock reads before the Unix epoch: {error}"))?
            .as_millis();
        let random = getrandom::u64().map_err(|error| format!("wasi:random failed: {error}"))?;
        Ok(vec![actions::set_member_ratio(
            0,
            1,
            format!("now_ms={now_ms} random={random}"),
        )]
        .into())
    }
}

fulcrum_sdk::export_policy!(Clock);
