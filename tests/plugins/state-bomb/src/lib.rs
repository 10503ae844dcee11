//! Test policy: stuffs its state store, so the host can check its quota and
//! the cost of undoing a failed evaluation's writes. The `mode` setting chooses
//! (default `"keys"`):
//!
//! - `keys`: writes the keys `k0`, `k1`, … with empty values until the host
//!   refuses one (quota) or `keys` (setting, default 4,000,000) are written,
//!   then returns no decisions (a refusal is not an error);
//! - `rewrite`: writes a 512 KiB value under the one key `big` 10,000 times,
//!   then returns no decisions; a refused write fails `decide` with
//!   `state.set big: <error>`.

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};
use serde::Deserialize;

/// The `rewrite` mode's value size and number of writes.
const REWRITE_VALUE: usize = 512 << 10;
const REWRITES: usize = 10_000;

/// How to fill the state store.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    Keys,
    Rewrite,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
    /// Most keys the `keys` mode writes.
    #[serde(default = "default_keys")]
    keys: u64,
}

fn default_keys() -> u64 {
    4_000_000
}

/// Fills its state.
pub struct StateBomb {
    mode: Mode,
    keys: u64,
}

impl Policy for StateBomb {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-state-bomb".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "fills its state store until the host refuses".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        let Settings { mode, keys } =
            serde_json::from_str(settings).map_err(|error| format!("settings: {error}"))?;
        Ok(StateBomb { mode, keys })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        match self.mode {
            Mode::Keys => {
                for i in 0..self.keys {
                    if host.state_set(&format!("k{i}"), &[]).is_err() {
                        break;
                    }
                }
            }
            Mode::Rewrite => {
                let value = vec![0xa5; REWRITE_VALUE];
                for _ in 0..REWRITES {
                    host.state_set("big", &value)
                        .map_err(|error| format!("state.set big: {error}"))?;
                }
            }
        }
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(StateBomb);
