//! One guard pass over every policy's decisions of a cycle, in order: name
//! each target, check grants, resolve conflicts by priority, record the
//! cycle's size recommendations, then hold each surviving action to the
//! rails, highest priority first.

use std::collections::HashMap;

use super::geometry::MigGeometry;
use super::grants::Grants;
use super::held::Held;
use super::outcome::{Accepted, Clamp, GuardOutcome, Rejection, Rule};
use super::priority::{Candidate, Resolved, resolve_conflicts};
use super::rails::{GuardRails, StepLimit};
use super::stabilization::GuardClocks;
use super::target::Target;
use crate::error_chain::with_causes;
use crate::model::{Action, ActionKind, Availability, Code, Decision, MemberState, Snapshot};

/// One policy's decisions for this cycle, with what the operator configured for it.
#[derive(Clone, Copy)]
pub struct PolicyProposal<'a> {
    pub policy: &'a str,
    /// Higher wins a contested target.
    pub priority: i32,
    pub grants: &'a Grants,
    pub decisions: &'a [Decision],
}

/// What the guard needs besides the decisions.
#[derive(Clone, Copy)]
pub struct GuardContext<'a> {
    pub rails: &'a GuardRails,
    pub geometry: &'a dyn MigGeometry,
    /// Members whose state the host holds this cycle.
    pub held: &'a Held,
    /// Now, in ms since the Unix epoch; the guard reads no clock.
    pub now_ms: u64,
}

/// Check one policy's decisions on their own, as if it were granted every
/// kind on every target: what the guard would let through of a policy whose
/// decisions are never applied (a shadow, a candidate replayed on recorded
/// cycles, a test case).
pub fn check_alone(
    snapshot: &Snapshot,
    policy: &str,
    decisions: &[Decision],
    clocks: &GuardClocks,
    cx: &GuardContext<'_>,
) -> GuardOutcome {
    let grants = Grants::everything();
    let proposal = PolicyProposal {
        policy,
        priority: 0,
        grants: &grants,
        decisions,
    };
    check(snapshot, &[proposal], clocks, cx)
}

/// Check every proposal of one cycle against `snapshot`. `proposals` are in
/// configuration order; `clocks` are the ones the previous pass returned.
pub fn check(
    snapshot: &Snapshot,
    proposals: &[PolicyProposal<'_>],
    clocks: &GuardClocks,
    cx: &GuardContext<'_>,
) -> GuardOutcome {
    let mut rejected = Vec::new();
    let mut candidates = Vec::new();
    for proposal in proposals {
        for decision in proposal.decisions {
            let kind = decision.action.kind();
            let reject = |target: Option<Target>, rule, detail: String| Rejection {
                policy: proposal.policy.to_owned(),
                target,
                decision: decision.clone(),
                rule,
                detail,
            };
            match Target::of(snapshot, &decision.action) {
                None => rejected.push(reject(
                    None,
                    Rule::InvalidTarget,
                    "the action names a row outside the snapshot".to_owned(),
                )),
                Some(target) if !proposal.grants.allows(kind, &target) => {
                    let detail = format!("no grant of {kind} on {target}");
                    rejected.push(reject(Some(target), Rule::NotGranted, detail));
                }
                Some(target) => {
                    let held = cx.held.why(&target);
                    match held.filter(|_| kind == ActionKind::MemberState) {
                        Some(why) => {
                            let detail = format!(
                                "{why}; the rollout sets this member's state until it ends"
                            );
                            rejected.push(reject(Some(target), Rule::Held, detail));
                        }
                        None => candidates.push(Candidate {
                            policy: proposal.policy.to_owned(),
                            priority: proposal.priority,
                            target,
                            decision: decision.clone(),
                        }),
                    }
                }
            }
        }
    }
    let Resolved {
        winners,
        superseded,
    } = resolve_conflicts(candidates);
    rejected.extend(superseded);

    let mut clocks = clocks.clone();
    record_recommendations(snapshot, &winners, &mut clocks, cx);
    let mut rails = RailsCheck {
        snapshot,
        cx,
        clocks: &mut clocks,
        serving: HashMap::new(),
    };
    let mut accepted = Vec::new();
    for candidate in winners {
        match rails.check(&candidate.decision.action) {
            Ok((action, clamps)) => accepted.push(Accepted {
                policy: candidate.policy,
                target: candidate.target,
                decision: Decision {
                    action,
                    reason: candidate.decision.reason,
                },
                proposed: candidate.decision.action,
                clamps,
            }),
            Err((rule, detail)) => rejected.push(Rejection {
                policy: candidate.policy,
                target: Some(candidate.target),
                decision: candidate.decision,
                rule,
                detail,
            }),
        }
    }
    clocks.prune(cx.now_ms, cx.rails);
    GuardOutcome {
        accepted,
        rejected,
        clocks,
    }
}

/// The key of group `row` in the clocks: `location/name`.
fn group_key(snapshot: &Snapshot, row: usize) -> String {
    let groups = &snapshot.instance_groups;
    format!(
        "{}/{}",
        snapshot.string(groups.location[row]),
        snapshot.string(groups.name[row])
    )
}

/// The allowed sizes of group `row`: the snapshot's bounds and the rails', together.
fn group_bounds(snapshot: &Snapshot, row: usize, rails: &GuardRails) -> (u32, u32) {
    let groups = &snapshot.instance_groups;
    (
        rails.min_group_size.max(groups.min_size[row]),
        rails.max_group_size.min(groups.max_size[row]),
    )
}

/// One recommendation per group: the winning resize, else its current size.
fn record_recommendations(
    snapshot: &Snapshot,
    winners: &[Candidate],
    clocks: &mut GuardClocks,
    cx: &GuardContext<'_>,
) {
    let proposed: HashMap<u32, u32> = winners
        .iter()
        .filter_map(|c| match c.decision.action {
            Action::ResizeGroup { group, target_size } => Some((group, target_size)),
            _ => None,
        })
        .collect();
    for row in 0..snapshot.instance_groups.name.len() {
        let current = snapshot.instance_groups.target_size[row];
        let (lo, hi) = group_bounds(snapshot, row, cx.rails);
        let size = proposed
            .get(&(row as u32))
            .map_or(current, |&size| size.max(lo).min(hi));
        clocks.recommend(&group_key(snapshot, row), size, cx.now_ms, cx.rails);
    }
}

type Checked = Result<(Action, Vec<Clamp>), (Rule, String)>;

/// The rails over the accepted actions of one pass, with the running tallies
/// that span several actions.
struct RailsCheck<'a, 'c> {
    snapshot: &'a Snapshot,
    cx: &'a GuardContext<'c>,
    clocks: &'a mut GuardClocks,
    /// Serving members left per pool row, once an action touched the pool.
    serving: HashMap<u32, u32>,
}

impl RailsCheck<'_, '_> {
    fn check(&mut self, action: &Action) -> Checked {
        match *action {
            Action::SetMemberRatio { member, ratio } => self.member_ratio(member, ratio),
            Action::SetMemberState { member, state } => self.member_state(member, state),
            Action::SetCapacityScaler { group, scaler } => self.capacity_scaler(group, scaler),
            Action::ResizeGroup { group, target_size } => self.group_size(group, target_size),
            Action::SetMigLayout {
                node,
                ref gpus,
                ref profiles,
            } => match self.cx.geometry.check(self.snapshot, node, gpus, profiles) {
                Ok(()) => Ok((action.clone(), Vec::new())),
                Err(why) => Err((Rule::MigGeometry, with_causes(&*why))),
            },
        }
    }

    fn is_serving(&self, row: usize) -> bool {
        let members = &self.snapshot.members;
        MemberState::from_code(members.state[row]) == MemberState::Enabled
            && Availability::from_code(members.availability[row]) != Availability::Offline
    }

    fn member_state(&mut self, member: u32, state: MemberState) -> Checked {
        let action = Action::SetMemberState { member, state };
        let row = member as usize;
        if state == MemberState::Enabled || !self.is_serving(row) {
            return Ok((action, Vec::new()));
        }
        let pool = self.snapshot.members.pool[row];
        let rows = self.snapshot.pool_members(pool);
        let size = rows.len() as u32;
        let serving_now = rows.filter(|&r| self.is_serving(r)).count() as u32;
        let left = self.serving.entry(pool).or_insert(serving_now);
        let rails = self.cx.rails;
        let required = rails.required_serving(size);
        if *left <= required {
            return Err((
                Rule::MinEnabledMembers,
                format!(
                    "pool {} would keep {} of {size} members serving; at least {required} required \
                     (min_enabled_members {}, min_enabled_share {})",
                    self.snapshot
                        .string(self.snapshot.pools.name[pool as usize]),
                    left.saturating_sub(1),
                    rails.min_enabled_members,
                    rails.min_enabled_share
                ),
            ));
        }
        *left -= 1;
        Ok((action, Vec::new()))
    }

    fn member_ratio(&mut self, member: u32, ratio: u32) -> Checked {
        let current = self.snapshot.members.ratio[member as usize];
        let step = self.cx.rails.member_ratio_step.allowed(current);
        let limited = if ratio > current {
            ratio.min(current.saturating_add(step))
        } else {
            ratio.max(current.saturating_sub(step))
        }
        .clamp(1, 65535);
        let mut clamps = Vec::new();
        if limited != ratio {
            clamps.push(Clamp {
                rule: Rule::StepLimit,
                detail: format!(
                    "ratio {current} → {ratio} limited to a step of {step} \
                     (member_ratio_step {}): {limited}",
                    self.cx.rails.member_ratio_step
                ),
            });
        }
        Ok((
            Action::SetMemberRatio {
                member,
                ratio: limited,
            },
            clamps,
        ))
    }

    fn capacity_scaler(&mut self, group: u32, scaler: f32) -> Checked {
        let current = self.snapshot.instance_groups.capacity_scaler[group as usize];
        if current.is_nan() {
            return Err((
                Rule::InvalidTarget,
                "the group is not the backend of any backend service".to_owned(),
            ));
        }
        let step = self.cx.rails.capacity_scaler_step.clamp(0.0, 1.0);
        let (current64, wanted) = (f64::from(current), f64::from(scaler));
        let mut limited = wanted.clamp(current64 - step, current64 + step);
        // A scaler is exactly 0 or at least 0.1; a step ending between stops at 0.1.
        if limited > 0.0 && limited < 0.1 {
            limited = 0.1;
        }
        let limited = limited as f32;
        if limited == scaler {
            return Ok((Action::SetCapacityScaler { group, scaler }, Vec::new()));
        }
        if limited == current {
            return Err((
                Rule::StepLimit,
                format!(
                    "capacity scaler {current} → {scaler} leaves no valid step of at most {step}"
                ),
            ));
        }
        let clamp = Clamp {
            rule: Rule::StepLimit,
            detail: format!(
                "capacity scaler {current} → {scaler} limited to a step of {step} \
                 (capacity_scaler_step): {limited}"
            ),
        };
        Ok((
            Action::SetCapacityScaler {
                group,
                scaler: limited,
            },
            vec![clamp],
        ))
    }

    fn group_size(&mut self, group: u32, target: u32) -> Checked {
        let row = group as usize;
        let rails = self.cx.rails;
        let now_ms = self.cx.now_ms;
        let current = self.snapshot.instance_groups.target_size[row];
        if target == current {
            return Ok((
                Action::ResizeGroup {
                    group,
                    target_size: target,
                },
                Vec::new(),
            ));
        }
        let (lo, hi) = group_bounds(self.snapshot, row, rails);
        if !(lo..=hi).contains(&target) {
            let groups = &self.snapshot.instance_groups;
            return Err((
                Rule::GroupBounds,
                format!(
                    "size {target} is outside {lo}..={hi} (the group's min {} and max {}; \
                     min_group_size {}, max_group_size {})",
                    groups.min_size[row],
                    groups.max_size[row],
                    rails.min_group_size,
                    rails.max_group_size
                ),
            ));
        }
        let key = group_key(self.snapshot, row);
        let scale_out = target > current;
        let direction = if scale_out { "scale-out" } else { "scale-in" };
        if let Some(cooling) = self.clocks.cooling_down(&key, scale_out, now_ms, rails) {
            let (setting, secs) = if scale_out {
                (
                    "scale_out_cooldown_secs",
                    rails.scale_out_cooldown.as_secs(),
                )
            } else {
                ("scale_in_cooldown_secs", rails.scale_in_cooldown.as_secs())
            };
            return Err((
                Rule::CoolDown,
                format!(
                    "{direction} {current} → {target}: the group was resized {} s ago; \
                     {setting} is {secs} s, {} s left",
                    now_ms.saturating_sub(cooling.last_resize_ms) / 1000,
                    cooling.until_ms.saturating_sub(now_ms).div_ceil(1000)
                ),
            ));
        }
        let mut size = target;
        let mut clamps = Vec::new();
        if scale_out {
            let step = rails.scale_out_step.allowed(current);
            if size - current > step {
                size = current + step;
                clamps.push(step_clamp(
                    current,
                    target,
                    step,
                    "scale_out_step",
                    rails.scale_out_step,
                    size,
                ));
            }
        } else {
            let window = rails.scale_in_stabilization.as_secs();
            if let Some(floor) = self.clocks.stabilized(&key, current, now_ms, rails) {
                if floor >= current {
                    return Err((
                        Rule::Stabilization,
                        format!(
                            "scale-in {current} → {target} held: the highest size recommended \
                             within the last {window} s (scale_in_stabilization_secs) is {floor}"
                        ),
                    ));
                }
                if floor > size {
                    size = floor;
                    clamps.push(Clamp {
                        rule: Rule::Stabilization,
                        detail: format!(
                            "scale-in {current} → {target} stops at {floor}, the highest size \
                             recommended within the last {window} s (scale_in_stabilization_secs)"
                        ),
                    });
                }
            }
            let step = rails.scale_in_step.allowed(current);
            if current - size > step {
                size = current - step;
                clamps.push(step_clamp(
                    current,
                    target,
                    step,
                    "scale_in_step",
                    rails.scale_in_step,
                    size,
                ));
            }
        }
        self.clocks.record_resize(&key, scale_out, now_ms);
        Ok((
            Action::ResizeGroup {
                group,
                target_size: size,
            },
            clamps,
        ))
    }
}

fn step_clamp(
    current: u32,
    target: u32,
    step: u32,
    setting: &str,
    limit: StepLimit,
    size: u32,
) -> Clamp {
    Clamp {
        rule: Rule::StepLimit,
        detail: format!(
            "size {current} → {target} limited to a step of {step} ({setting} {limit}): {size}"
        ),
    }
}
