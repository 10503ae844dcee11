//! One evaluation: read memory, walk the managed pools' members in row order,
//! decide each one, write memory back.
//!
//! Per member, in this order:
//! 1. no known node: nothing to go on, leave it alone;
//! 2. stale node: leave it alone (logged once per cycle at debug);
//! 3. unhealthy node (judged so by the host, or with fewer than
//!    `min_healthy_share` of its GPUs healthy) and `disable_unhealthy`:
//!    disable it if it is enabled, and remember that this policy did; no
//!    ratio changes;
//! 4. a node fit to serve again and a member this policy disabled that is
//!    still disabled: enable it again (an operator's own disable is never
//!    undone);
//! 5. enabled member on a node whose GPUs reported: move its ratio towards
//!    `min_ratio + score × healthy share × (max_ratio − min_ratio)`, smoothed
//!    over cycles, and propose it when the rounded ratio differs from the
//!    current one.
//!
//! This runs over every member of a large fleet, so the per-member work stays
//! lean: remembered records are found in row order rather than by hashing
//! names ([`Recall`]), and reasons are written into one reused buffer (a
//! score's figures without the formatting machinery,
//! [`NodeScore::write_figures`]) and copied into the decisions' shared text.

use fulcrum_sdk::{Decisions, Host, Level, MemberState, MemberView, NodeView, SnapshotView};

use crate::health::{Problem, healthy_share};
use crate::memory::{self, Memory, Recall, Record, Writer};
use crate::score::{NodeScore, round_half_up, write_u32};
use crate::settings::Settings;

/// Members on stale nodes named in the debug line; the rest are counted.
const STALE_NAMED: usize = 5;

/// Decide on every managed member of `snapshot`.
pub fn decide(settings: &Settings, snapshot: &SnapshotView<'_>, host: &mut dyn Host) -> Decisions {
    let stored = host.state_get(memory::KEY);
    let previous = match stored.as_deref().map(Memory::decode) {
        None => Memory::default(),
        Some(Ok(memory)) => memory,
        Some(Err(corrupt)) => {
            host.log(
                Level::Warn,
                &format!(
                    "ignoring unreadable state \"{}\" ({corrupt}); starting afresh",
                    memory::KEY
                ),
            );
            Memory::default()
        }
    };

    let members = snapshot.members().len();
    let mut decisions = Decisions::new();
    let mut next = Writer::with_capacity(stored.as_ref().map_or(members * 24, Vec::len));
    let mut recall = Recall::new(snapshot);
    let mut reason = String::new();
    let mut stale = Vec::new();
    let mut stale_count = 0;
    for pool in snapshot
        .pools()
        .filter(|pool| settings.manages(pool.name()))
    {
        let remembered = recall.pool(snapshot, pool, previous.pool(pool.name()));
        next.pool(pool.name());
        for (member, &before) in pool.members().zip(remembered) {
            let name = member.name();
            let after = match member.node() {
                Some(node) if node.stale() => {
                    stale_count += 1;
                    if stale.len() < STALE_NAMED {
                        stale.push(name);
                    }
                    before
                }
                Some(node) => {
                    decide_member(settings, member, node, before, &mut decisions, &mut reason)
                }
                None => before,
            };
            next.member(name, after);
        }
    }

    if stale_count > 0 {
        let more = stale_count - stale.len();
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let members = if stale_count == 1 {
            "member"
        } else {
            "members"
        };
        host.log(
            Level::Debug,
            &format!(
                "left {stale_count} {members} on stale nodes alone: {}{more}",
                stale.join(", ")
            ),
        );
    }
    for missing in settings
        .pools
        .iter()
        .flatten()
        .filter(|name| snapshot.pool_by_name(name).is_none())
    {
        host.log(
            Level::Warn,
            &format!("settings.pools: no pool named \"{missing}\" in the snapshot"),
        );
    }
    store(host, stored.as_deref(), next.finish());
    decisions
}

/// Decide on `member`, whose `node` is known and fresh; returns what to
/// remember. `reason` is scratch space for formatting reasons.
fn decide_member(
    settings: &Settings,
    member: MemberView<'_>,
    node: NodeView<'_>,
    before: Record,
    decisions: &mut Decisions,
    reason: &mut String,
) -> Record {
    let mut record = before;
    let mut state = member.state();
    // A member stays "ours" only while it is still disabled: if an operator
    // enabled it or forced it offline since, it is theirs again.
    record.disabled_by_policy &= state == MemberState::Disabled;

    // A node the host judged unhealthy, or with too few healthy GPUs, is
    // taken out; one with a few GPUs down serves on with what it has.
    let share = healthy_share(node);
    let problem = Problem::of(node);
    let take_out = match problem {
        Some(Problem::Node) => true,
        Some(_) => share < settings.min_healthy_share,
        None => false,
    };
    match problem.filter(|_| take_out) {
        Some(problem) if settings.disable_unhealthy => {
            if state == MemberState::Enabled {
                decisions.set_member_state(
                    member.row(),
                    MemberState::Disabled,
                    format_args!("{problem}"),
                );
                record.disabled_by_policy = true;
            }
            return record;
        }
        // Ours, and still unhealthy: it stays off until the node recovers.
        Some(_) if record.disabled_by_policy => return record,
        Some(_) => {}
        None if record.disabled_by_policy => {
            decisions.set_member_state(member.row(), MemberState::Enabled, "node healthy again");
            record.disabled_by_policy = false;
            state = MemberState::Enabled;
        }
        None => {}
    }
    if state != MemberState::Enabled {
        return record;
    }
    let Some(score) = NodeScore::of(node, settings) else {
        return record;
    };

    let span = (settings.max_ratio - settings.min_ratio) as f32;
    let target = settings.min_ratio as f32 + score.score * share * span;
    let smoothed = match record.smoothed {
        Some(previous) => settings.smoothing * previous + (1.0 - settings.smoothing) * target,
        None => target,
    };
    record.smoothed = Some(smoothed);
    let ratio = (round_half_up(smoothed) as u32).clamp(settings.min_ratio, settings.max_ratio);
    let current = member.ratio();
    if ratio != current {
        reason.clear();
        // Writing into a `String` cannot fail.
        let _ = score.write_figures(reason);
        reason.push_str(": ratio ");
        let _ = write_u32(reason, current);
        reason.push_str(" → ");
        let _ = write_u32(reason, ratio);
        decisions.set_member_ratio(member.row(), ratio, reason.as_str());
    }
    record
}

/// Write this cycle's memory; a refused write is logged, not fatal (the
/// decisions stand, only smoothing and re-enabling lose memory). The value is
/// written even when unchanged: handing the host a few hundred kilobytes is
/// cheaper than comparing them byte by byte inside WebAssembly.
fn store(host: &mut dyn Host, stored: Option<&[u8]>, next: Option<Vec<u8>>) {
    match (stored, next) {
        (Some(_), None) => host.state_delete(memory::KEY),
        (_, Some(next)) => {
            if let Err(error) = host.state_set(memory::KEY, &next) {
                host.log(
                    Level::Warn,
                    &format!(
                        "could not save state \"{}\" ({} bytes): {error}",
                        memory::KEY,
                        next.len()
                    ),
                );
            }
        }
        _ => {}
    }
}
