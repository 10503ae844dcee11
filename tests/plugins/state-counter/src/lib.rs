//! Test policy: counts its successful evaluations in state, for the host's state
//! tests.
//!
//! `decide` reads the key `count` (a little-endian `u64`; absent or malformed
//! reads as 0), adds one, writes it back, and returns one `set-member-ratio` for
//! member 0 with ratio = count (clamped to 1..=65535) and reason `count=N`.
//! With `{"fail_after_write": true}` it writes and then fails with "failed on
//! purpose", so the host can check that a failed evaluation commits no state.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView, actions};
use serde::Deserialize;

const KEY: &str = "count";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    fail_after_write: bool,
}

/// Counts evaluations.
pub struct StateCounter {
    fail_after_write: bool,
}

impl Policy for StateCounter {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-state-counter".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "counts evaluations in state".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let Settings { fail_after_write } =
            serde_json::from_str(settings).map_err(|error| format!("settings: {error}"))?;
        Ok(StateCounter { fail_after_write })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        let stored = host
            .state_get(KEY)
            .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok());
        let count = stored.map_or(0, u64::from_le_bytes).wrapping_add(1);
        host.state_set(KEY, &count.to_le_bytes())
            .map_err(|error| format!("state.set {KEY}: {error}"))?;
        if self.fail_after_write {
            return Err("failed on purpose".into());
        }
        let ratio = count.clamp(1, 65_535) as u32;
        Ok(vec![actions::set_member_ratio(
            0,
            ratio,
            format!("count={count}"),
        )]
        .into())
    }
}

fulcrum_sdk::export_policy!(StateCounter);
