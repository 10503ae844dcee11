//! Test policy: floods the host with output far larger than any real policy's,
//! for the host's containment tests. The `mode` setting chooses what (default
//! `"rows"`):
//!
//! - `rows`: 2,000,000 `member-ratio` rows, member `i % member_count`, ratio
//!   10, all sharing one reason (so a 3-member pool gets each member many times);
//! - `huge-error`: `decide` fails with a 24 MiB message;
//! - `huge-reason`: one `member-ratio` row for member 0 whose reason is 2 MiB;
//! - `logs`: 10,000 log messages of 8 KiB each, then no decisions;
//! - `slow-rows`: busy-loops `spin` times (setting, default 0), then returns the
//!   same 2,000,000 rows as `rows`, to hand over a large output near the deadline;
//! - `huge-settings-error`: `configure` fails with a 24 MiB message.
//!
//! It implements the SDK's generated `Guest` trait directly rather than
//! `Policy`, because `Decisions` writes one reason per row and the flood wants
//! the rows to share one.

use std::cell::Cell;
use std::hint::black_box;

use fulcrum_sdk::bindings::Guest;
use fulcrum_sdk::bindings::fulcrum::policy::{log, types as wit};
use fulcrum_sdk::{ActionKind, Column, Level, Metadata, Snapshot};
use serde::Deserialize;

/// Rows in the `rows` and `slow-rows` outputs.
const ROWS: usize = 2_000_000;
/// Size of the `huge-error` and `huge-settings-error` messages.
const HUGE_ERROR: usize = 24 << 20;
/// Size of the `huge-reason` reason.
const HUGE_REASON: usize = 2 << 20;
/// Messages the `logs` mode writes, and the size of each.
const LOGS: usize = 10_000;
const LOG_SIZE: usize = 8 << 10;

/// What to flood the host with.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Mode {
    #[default]
    Rows,
    HugeError,
    HugeReason,
    Logs,
    SlowRows,
    HugeSettingsError,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default)]
    mode: Mode,
    /// Busy-loop turns before `slow-rows` returns.
    #[serde(default)]
    spin: u64,
}

thread_local! {
    /// The settings `configure` took, waiting for `decide`.
    static SETTINGS: Cell<Option<Settings>> = const { Cell::new(None) };
}

/// Floods the host.
pub struct Flood;

impl Guest for Flood {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-flood".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "floods the host with huge outputs, errors and logs".into(),
            action_kinds: vec![ActionKind::MemberRatio, ActionKind::MemberState],
        }
    }

    fn configure(settings: String) -> Result<(), String> {
        let settings: Settings =
            serde_json::from_str(&settings).map_err(|error| format!("settings: {error}"))?;
        if let Mode::HugeSettingsError = settings.mode {
            return Err("e".repeat(HUGE_ERROR));
        }
        SETTINGS.set(Some(settings));
        Ok(())
    }

    fn decide(snapshot: Snapshot) -> Result<wit::Decisions, String> {
        let settings = SETTINGS
            .get()
            .ok_or_else(|| "decide called before configure".to_owned())?;
        let members = Column::<u32>::new(&snapshot.members.pool).len().max(1);
        match settings.mode {
            Mode::Rows | Mode::HugeSettingsError => Ok(rows(members)),
            Mode::HugeError => Err("e".repeat(HUGE_ERROR)),
            Mode::HugeReason => {
                let mut decisions = decisions("r".repeat(HUGE_REASON));
                decisions.member_ratios.member.push(0);
                decisions.member_ratios.ratio.push(10);
                decisions.member_ratios.reason.push(0);
                Ok(decisions)
            }
            Mode::Logs => {
                let message = "l".repeat(LOG_SIZE);
                for _ in 0..LOGS {
                    log::log(Level::Info, &message);
                }
                Ok(decisions(String::new()))
            }
            Mode::SlowRows => {
                let mut turns = 0u64;
                while turns < settings.spin {
                    turns = black_box(turns + 1);
                }
                Ok(rows(members))
            }
        }
    }
}

/// `ROWS` ratio rows over `members` members, sharing reason 0.
fn rows(members: usize) -> wit::Decisions {
    let mut decisions = decisions("flood".into());
    let table = &mut decisions.member_ratios;
    table.member = (0..ROWS).map(|i| (i % members) as u32).collect();
    table.ratio = vec![10; ROWS];
    table.reason = vec![0; ROWS];
    decisions
}

/// No decisions, with `reason` as reason 0 (none when it is empty).
fn decisions(reason: String) -> wit::Decisions {
    let offsets = if reason.is_empty() {
        vec![0]
    } else {
        vec![0, reason.len() as u32]
    };
    wit::Decisions {
        reasons: wit::StringTable {
            text: reason,
            offsets,
        },
        member_states: wit::MemberStates {
            member: Vec::new(),
            state: Vec::new(),
            reason: Vec::new(),
        },
        member_ratios: wit::MemberRatios {
            member: Vec::new(),
            ratio: Vec::new(),
            reason: Vec::new(),
        },
        capacity_scalers: wit::CapacityScalers {
            group: Vec::new(),
            scaler: Vec::new(),
            reason: Vec::new(),
        },
        group_sizes: wit::GroupSizes {
            group: Vec::new(),
            target_size: Vec::new(),
            reason: Vec::new(),
        },
        mig_layouts: Vec::new(),
    }
}

#[cfg(target_arch = "wasm32")]
fulcrum_sdk::bindings::export!(Flood with_types_in fulcrum_sdk::bindings);
