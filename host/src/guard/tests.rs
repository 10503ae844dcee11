//! The guard's rules through its one entry point, over a small fleet: a pool
//! of members and instance groups, with simulated time.

use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::model::{
    Action, ActionKind, Availability, Code, Decision, MemberSample, MemberState, ProfileCount,
    Snapshot, SnapshotBuilder,
};

const SEC: u64 = 1000;

/// Members of "mlPool" with the given states and availabilities, ratio 10.
fn pool(members: &[(MemberState, Availability)]) -> SnapshotBuilder {
    let names: Vec<String> = (0..members.len()).map(|i| format!("n{i}:8080")).collect();
    let samples: Vec<MemberSample<'_>> = members
        .iter()
        .zip(&names)
        .map(|(&(state, availability), name)| MemberSample {
            name,
            address: "10.0.0.1",
            port: 8080,
            ratio: 10,
            state,
            availability,
            current_connections: 0,
            connection_limit: 0,
        })
        .collect();
    let mut builder = SnapshotBuilder::new();
    builder.pool("mlPool", "Common", "ratio-member", &samples);
    builder
}

fn intern(snapshot: &mut Snapshot, text: &str) -> u32 {
    let strings = &mut snapshot.strings;
    strings.text.push_str(text);
    strings.offsets.push(strings.text.len() as u32);
    (strings.offsets.len() - 2) as u32
}

/// Add group "tf-ig" at `size` with bounds `min..=max` and a capacity scaler.
fn group(snapshot: &mut Snapshot, name: &str, size: u32, min: u32, max: u32, scaler: f32) -> u32 {
    let name = intern(snapshot, name);
    let location = intern(snapshot, "us-central1-a");
    let groups = &mut snapshot.instance_groups;
    groups.name.push(name);
    groups.location.push(location);
    groups.target_size.push(size);
    groups.current_size.push(size);
    groups.min_size.push(min);
    groups.max_size.push(max);
    groups.backend_service.push(if scaler.is_nan() {
        crate::model::NONE
    } else {
        name
    });
    groups.capacity_scaler.push(scaler);
    groups.instance_start.push(0);
    (groups.name.len() - 1) as u32
}

fn serving_pool(n: usize) -> Snapshot {
    pool(&vec![(MemberState::Enabled, Availability::Available); n]).build(1, 0)
}

fn all_grants() -> Grants {
    Grants::everything()
}

fn decide(action: Action) -> Decision {
    Decision {
        action,
        reason: "test".into(),
    }
}

fn any_layout(_: &Snapshot, _: u32, _: &[u32], _: &[ProfileCount]) -> Result<(), GeometryError> {
    Ok(())
}

/// A guard run for one policy with every grant.
struct Run {
    rails: GuardRails,
    grants: Grants,
    clocks: GuardClocks,
    held: Held,
}

impl Run {
    fn new() -> Self {
        Run {
            rails: GuardRails::default(),
            grants: all_grants(),
            clocks: GuardClocks::default(),
            held: Held::new(),
        }
    }

    /// One pass at `now_ms`; the clocks carry over to the next.
    fn pass(&mut self, snapshot: &Snapshot, actions: Vec<Action>, now_ms: u64) -> GuardOutcome {
        let decisions: Vec<Decision> = actions.into_iter().map(decide).collect();
        let outcome = check(
            snapshot,
            &[PolicyProposal {
                policy: "p",
                priority: 0,
                grants: &self.grants,
                decisions: &decisions,
            }],
            &self.clocks,
            &GuardContext {
                rails: &self.rails,
                geometry: &any_layout,
                held: &self.held,
                now_ms,
            },
        );
        self.clocks = outcome.clocks.clone();
        outcome
    }
}

fn only_rule(outcome: &GuardOutcome) -> Rule {
    assert_eq!(outcome.rejected.len(), 1, "{:?}", outcome.rejected);
    outcome.rejected[0].rule
}

#[test]
fn ungranted_actions_are_rejected_and_counted_per_policy_and_rule() {
    let snapshot = serving_pool(4);
    let narrow: Grants = [Grant::new(
        vec![ActionKind::MemberRatio],
        vec![(TargetList::Pools, NamePattern::parse("otherPool").unwrap())],
    )]
    .into_iter()
    .collect();
    let wide = all_grants();
    let ratio = |member| decide(Action::SetMemberRatio { member, ratio: 12 });
    let narrow_decisions = [ratio(0), ratio(1), ratio(7)];
    let wide_decisions = [ratio(2)];
    let outcome = check(
        &snapshot,
        &[
            PolicyProposal {
                policy: "narrow",
                priority: 0,
                grants: &narrow,
                decisions: &narrow_decisions,
            },
            PolicyProposal {
                policy: "wide",
                priority: 0,
                grants: &wide,
                decisions: &wide_decisions,
            },
        ],
        &GuardClocks::default(),
        &GuardContext {
            rails: &GuardRails::default(),
            geometry: &any_layout,
            held: &Held::new(),
            now_ms: 0,
        },
    );
    assert_eq!(outcome.accepted.len(), 1);
    assert_eq!(outcome.accepted[0].policy, "wide");
    let counts: Vec<_> = outcome.rejection_counts().into_iter().collect();
    assert_eq!(
        counts,
        vec![
            (("narrow".to_owned(), Rule::InvalidTarget), 1),
            (("narrow".to_owned(), Rule::NotGranted), 2),
        ]
    );
    assert_eq!(
        outcome.rejected[0].to_string(),
        "policy narrow: ratio 12 on pool mlPool member n0:8080 rejected by not-granted: \
         no grant of member-ratio on pool mlPool member n0:8080"
    );
}

#[test]
fn several_disables_in_one_cycle_never_drop_below_the_minimum() {
    let snapshot = serving_pool(5);
    let mut run = Run::new();
    let disable = |member| Action::SetMemberState {
        member,
        state: MemberState::Disabled,
    };
    // Five members, share 0.5: three must stay serving, so two of four go.
    let outcome = run.pass(&snapshot, (0..4).map(disable).collect(), 0);
    assert_eq!(outcome.accepted.len(), 2);
    assert_eq!(outcome.rejected.len(), 2);
    assert!(
        outcome
            .rejected
            .iter()
            .all(|r| r.rule == Rule::MinEnabledMembers)
    );
    assert_eq!(
        outcome.rejected[0].detail,
        "pool mlPool would keep 2 of 5 members serving; at least 3 required \
         (min_enabled_members 1, min_enabled_share 0.5)"
    );
}

#[test]
fn members_not_serving_can_be_disabled_and_anyone_enabled() {
    let snapshot = pool(&[
        (MemberState::Enabled, Availability::Available),
        (MemberState::Enabled, Availability::Offline),
        (MemberState::Disabled, Availability::Available),
    ])
    .build(1, 0);
    let mut run = Run::new();
    let outcome = run.pass(
        &snapshot,
        vec![
            Action::SetMemberState {
                member: 0,
                state: MemberState::ForcedOffline,
            },
            Action::SetMemberState {
                member: 1,
                state: MemberState::ForcedOffline,
            },
            Action::SetMemberState {
                member: 2,
                state: MemberState::Enabled,
            },
        ],
        0,
    );
    // The only serving member stays; enabling member 2 is not counted on
    // before it is applied.
    assert_eq!(only_rule(&outcome), Rule::MinEnabledMembers);
    assert_eq!(
        outcome.rejected[0].target.as_ref().unwrap().to_string(),
        "pool mlPool member n0:8080"
    );
    assert_eq!(outcome.accepted.len(), 2);
}

#[test]
fn ratio_changes_are_limited_per_cycle() {
    let snapshot = serving_pool(2);
    let mut run = Run::new();
    let outcome = run.pass(
        &snapshot,
        vec![
            Action::SetMemberRatio {
                member: 0,
                ratio: 80,
            },
            Action::SetMemberRatio {
                member: 1,
                ratio: 1,
            },
        ],
        0,
    );
    let ratios: Vec<&Action> = outcome
        .accepted
        .iter()
        .map(|a| &a.decision.action)
        .collect();
    assert_eq!(
        ratios,
        vec![
            &Action::SetMemberRatio {
                member: 0,
                ratio: 20
            },
            &Action::SetMemberRatio {
                member: 1,
                ratio: 1
            },
        ]
    );
    let clamp = &outcome.accepted[0].clamps[0];
    assert_eq!(clamp.rule, Rule::StepLimit);
    assert_eq!(
        clamp.detail,
        "ratio 10 → 80 limited to a step of 10 (member_ratio_step 10 or 50%): 20"
    );
    assert_eq!(
        outcome.accepted[0].proposed,
        Action::SetMemberRatio {
            member: 0,
            ratio: 80
        }
    );
    assert!(outcome.accepted[1].clamps.is_empty());
}

#[test]
fn capacity_scaler_steps_stay_valid_and_need_a_backend() {
    let mut snapshot = serving_pool(1);
    let backend = group(&mut snapshot, "tf-ig", 4, 1, 10, 1.0);
    let plain = group(&mut snapshot, "batch", 4, 1, 10, f32::NAN);
    let mut run = Run::new();
    run.rails.capacity_scaler_step = 0.95;
    let outcome = run.pass(
        &snapshot,
        vec![
            Action::SetCapacityScaler {
                group: backend,
                scaler: 0.0,
            },
            Action::SetCapacityScaler {
                group: plain,
                scaler: 0.5,
            },
        ],
        0,
    );
    // 1.0 - 0.95 would be 0.05, not a valid scaler: the step stops at 0.1.
    assert_eq!(
        outcome.accepted[0].decision.action,
        Action::SetCapacityScaler {
            group: backend,
            scaler: 0.1
        }
    );
    assert_eq!(only_rule(&outcome), Rule::InvalidTarget);
}

#[test]
fn sizes_outside_the_bounds_are_rejected_not_clamped() {
    let mut snapshot = serving_pool(1);
    let g = group(&mut snapshot, "tf-ig", 4, 2, 6, f32::NAN);
    let mut run = Run::new();
    let outcome = run.pass(
        &snapshot,
        vec![Action::ResizeGroup {
            group: g,
            target_size: 7,
        }],
        0,
    );
    assert_eq!(only_rule(&outcome), Rule::GroupBounds);
    assert_eq!(
        outcome.rejected[0].detail,
        "size 7 is outside 2..=6 (the group's min 2 and max 6; min_group_size 1, max_group_size 1000)"
    );
    run.rails.max_group_size = 5;
    let outcome = run.pass(
        &snapshot,
        vec![Action::ResizeGroup {
            group: g,
            target_size: 6,
        }],
        0,
    );
    assert_eq!(only_rule(&outcome), Rule::GroupBounds);
}

#[test]
fn scale_out_is_limited_per_cycle_and_cools_down() {
    let mut snapshot = serving_pool(1);
    let g = group(&mut snapshot, "tf-ig", 2, 1, 100, f32::NAN);
    let mut run = Run::new();
    let grow = |size| {
        vec![Action::ResizeGroup {
            group: g,
            target_size: size,
        }]
    };
    let outcome = run.pass(&snapshot, grow(20), 0);
    assert_eq!(outcome.accepted[0].decision.action, grow(6)[0]);
    assert_eq!(
        outcome.accepted[0].clamps[0].detail,
        "size 2 → 20 limited to a step of 4 (scale_out_step 4 or 100%): 6"
    );
    snapshot.instance_groups.target_size[g as usize] = 6;
    let outcome = run.pass(&snapshot, grow(20), 30 * SEC);
    assert_eq!(only_rule(&outcome), Rule::CoolDown);
    assert_eq!(
        outcome.rejected[0].detail,
        "scale-out 6 → 20: the group was resized 30 s ago; scale_out_cooldown_secs is 60 s, 30 s left"
    );
    let outcome = run.pass(&snapshot, grow(20), 60 * SEC);
    assert_eq!(outcome.accepted[0].decision.action, grow(12)[0]);
}

#[test]
fn scale_in_waits_out_the_stabilization_window_then_steps_down() {
    let mut snapshot = serving_pool(1);
    let g = group(&mut snapshot, "tf-ig", 8, 1, 100, f32::NAN);
    let mut run = Run::new();
    run.rails.scale_in_step = StepLimit {
        count: 2,
        percent: 0,
    };
    let shrink = vec![Action::ResizeGroup {
        group: g,
        target_size: 4,
    }];
    // Watched at size 8 for a whole window before the policy asks for 4.
    for t in (0..=300).step_by(15) {
        assert!(run.pass(&snapshot, vec![], t * SEC).accepted.is_empty());
    }
    for t in (315..600).step_by(15) {
        let outcome = run.pass(&snapshot, shrink.clone(), t * SEC);
        assert_eq!(only_rule(&outcome), Rule::Stabilization, "at {t} s");
    }
    let outcome = run.pass(&snapshot, shrink.clone(), 600 * SEC);
    assert_eq!(
        outcome.accepted[0].decision.action,
        Action::ResizeGroup {
            group: g,
            target_size: 6
        }
    );
    // Shrinking again waits for the scale-in cool-down.
    snapshot.instance_groups.target_size[g as usize] = 6;
    let outcome = run.pass(&snapshot, shrink.clone(), 615 * SEC);
    assert_eq!(only_rule(&outcome), Rule::CoolDown);
    let outcome = run.pass(&snapshot, shrink, 900 * SEC);
    assert_eq!(
        outcome.accepted[0].decision.action,
        Action::ResizeGroup {
            group: g,
            target_size: 4
        }
    );
}

#[test]
fn scale_in_stops_at_a_higher_recommendation_within_the_window() {
    let mut snapshot = serving_pool(1);
    let g = group(&mut snapshot, "tf-ig", 10, 1, 100, f32::NAN);
    let mut run = Run::new();
    run.rails.scale_in_step = StepLimit {
        count: 10,
        percent: 0,
    };
    let resize = |size| {
        vec![Action::ResizeGroup {
            group: g,
            target_size: size,
        }]
    };
    for t in (0..300).step_by(15) {
        run.pass(&snapshot, vec![], t * SEC);
    }
    // 300 s: the recommendation dips to 7 (rejected: 10 is still in the window).
    assert_eq!(
        only_rule(&run.pass(&snapshot, resize(7), 300 * SEC)),
        Rule::Stabilization
    );
    // Until 10 leaves the window at 585 s, nothing shrinks; then 7 is the floor.
    for t in (315..585).step_by(15) {
        assert_eq!(
            only_rule(&run.pass(&snapshot, resize(3), t * SEC)),
            Rule::Stabilization
        );
    }
    let outcome = run.pass(&snapshot, resize(3), 585 * SEC);
    let accepted = &outcome.accepted[0];
    assert_eq!(
        accepted.decision.action,
        Action::ResizeGroup {
            group: g,
            target_size: 7
        }
    );
    assert_eq!(accepted.clamps[0].rule, Rule::Stabilization);
}

#[test]
fn mig_layouts_need_a_valid_geometry() {
    let mut builder = SnapshotBuilder::new();
    builder.node(
        &crate::model::NodeSample {
            name: "gpu-node-1",
            address: "10.0.0.1",
            health: crate::model::Health::Healthy,
            telemetry_age_ms: 0,
            stale: false,
            labels: &[],
        },
        &[],
    );
    let snapshot = builder.build(1, 0);
    let only_7g =
        |_: &Snapshot, _: u32, _: &[u32], profiles: &[ProfileCount]| -> Result<(), GeometryError> {
            if profiles
                .iter()
                .all(|p| p.profile == "7g.80gb" && p.count == 1)
            {
                Ok(())
            } else {
                Err("profiles 1g.10gb x8 exceed the GPU's 7 compute slices".into())
            }
        };
    let decisions = [decide(Action::SetMigLayout {
        node: 0,
        gpus: vec![0],
        profiles: vec![ProfileCount {
            profile: "1g.10gb".into(),
            count: 8,
        }],
    })];
    let grants = all_grants();
    let outcome = check(
        &snapshot,
        &[PolicyProposal {
            policy: "mig",
            priority: 0,
            grants: &grants,
            decisions: &decisions,
        }],
        &GuardClocks::default(),
        &GuardContext {
            rails: &GuardRails::default(),
            geometry: &only_7g,
            held: &Held::new(),
            now_ms: 0,
        },
    );
    assert_eq!(only_rule(&outcome), Rule::MigGeometry);
    assert_eq!(
        outcome.rejected[0].to_string(),
        "policy mig: layout 8x1g.10gb on gpu rows [0] on node gpu-node-1 rejected by \
         mig-geometry: profiles 1g.10gb x8 exceed the GPU's 7 compute slices"
    );
}

#[test]
fn the_higher_priority_policy_wins_a_contested_member() {
    let snapshot = serving_pool(2);
    let grants = all_grants();
    let low = [decide(Action::SetMemberRatio {
        member: 0,
        ratio: 5,
    })];
    let high = [decide(Action::SetMemberRatio {
        member: 0,
        ratio: 15,
    })];
    let outcome = check(
        &snapshot,
        &[
            PolicyProposal {
                policy: "low",
                priority: 1,
                grants: &grants,
                decisions: &low,
            },
            PolicyProposal {
                policy: "high",
                priority: 2,
                grants: &grants,
                decisions: &high,
            },
        ],
        &GuardClocks::default(),
        &GuardContext {
            rails: &GuardRails::default(),
            geometry: &any_layout,
            held: &Held::new(),
            now_ms: 0,
        },
    );
    assert_eq!(outcome.accepted[0].policy, "high");
    assert_eq!(outcome.rejected[0].policy, "low");
    assert_eq!(only_rule(&outcome), Rule::Superseded);
}

fn member_state() -> impl Strategy<Value = (MemberState, Availability)> {
    (0u8..3, 0u8..3).prop_map(|(s, a)| (MemberState::from_code(s), Availability::from_code(a)))
}

/// Member states, groups as (bound, bound, size), each policy's actions,
/// the rails, and how many further passes to run.
type Scenario = (
    Vec<(MemberState, Availability)>,
    Vec<(u32, u32, u32)>,
    Vec<Vec<Action>>,
    GuardRails,
    u64,
);

/// A pool, three groups (bounds, size possibly outside them) and proposals of two policies.
fn scenario() -> impl Strategy<Value = Scenario> {
    let members = prop::collection::vec(member_state(), 0..8);
    let groups = prop::collection::vec((0u32..6, 0u32..6, 0u32..30), 3);
    let action = prop_oneof![
        (0u32..8, 0u8..3)
            .prop_map(|(member, s)| (member, MemberState::from_code(s)))
            .prop_map(|(member, state)| Action::SetMemberState { member, state }),
        (0u32..8, 1u32..200).prop_map(|(member, ratio)| Action::SetMemberRatio { member, ratio }),
        (0u32..3, 0u32..40)
            .prop_map(|(group, target_size)| Action::ResizeGroup { group, target_size }),
    ];
    let policies = prop::collection::vec(prop::collection::vec(action, 0..12), 2);
    let rails = (0u32..4, 0u32..=10, 0u64..3).prop_map(|(count, tenths, window)| GuardRails {
        min_enabled_members: count,
        min_enabled_share: f64::from(tenths) / 10.0,
        scale_in_stabilization: Duration::from_secs(window * 15),
        scale_in_cooldown: Duration::ZERO,
        scale_out_cooldown: Duration::ZERO,
        ..GuardRails::default()
    });
    (members, groups, policies, rails, 0u64..2)
}

proptest! {
    #[test]
    fn guard_keeps_pools_serving_and_groups_in_bounds(
        (members, groups, policies, rails, passes) in scenario()
    ) {
        let mut snapshot = pool(&members).build(1, 0);
        for (i, &(a, b, size)) in groups.iter().enumerate() {
            let (min, max) = (a.min(b), a.max(b) + 10);
            group(&mut snapshot, &format!("g{i}"), size, min, max, f32::NAN);
        }
        // Actions on members that do not exist are dropped; the rest go in.
        let decisions: Vec<Vec<Decision>> = policies
            .into_iter()
            .map(|actions| actions.into_iter().map(decide).collect())
            .collect();
        let grants = all_grants();
        let proposals: Vec<PolicyProposal<'_>> = decisions
            .iter()
            .enumerate()
            .map(|(i, d)| PolicyProposal { policy: ["a", "b"][i], priority: i as i32, grants: &grants, decisions: d })
            .collect();
        let mut clocks = GuardClocks::default();
        let held = Held::new();
        for pass in 0..=passes {
            let cx = GuardContext { rails: &rails, geometry: &any_layout, held: &held, now_ms: pass * 15 * SEC };
            let outcome = check(&snapshot, &proposals, &clocks, &cx);
            clocks = outcome.clocks.clone();

            let serving = |s: &Snapshot, row: usize| {
                s.member_state(row as u32) == MemberState::Enabled
                    && Availability::from_code(s.members.availability[row]) != Availability::Offline
            };
            let mut after = snapshot.clone();
            for accepted in &outcome.accepted {
                match accepted.decision.action {
                    // Enables are not counted on: the check assumes they may fail.
                    Action::SetMemberState { member, state } if state != MemberState::Enabled => {
                        after.members.state[member as usize] = state.code();
                    }
                    Action::ResizeGroup { group, target_size } => {
                        after.instance_groups.target_size[group as usize] = target_size;
                    }
                    _ => {}
                }
            }
            let size = snapshot.members.pool.len() as u32;
            if size > 0 {
                let before = (0..size as usize).filter(|&r| serving(&snapshot, r)).count() as u32;
                let left = (0..size as usize).filter(|&r| serving(&after, r)).count() as u32;
                let required = rails.required_serving(size);
                prop_assert!(left >= required.min(before), "{left} serving of {before}, {required} required");
            }
            for row in 0..groups.len() {
                let g = &snapshot.instance_groups;
                let (lo, hi) = (g.min_size[row].max(rails.min_group_size), g.max_size[row].min(rails.max_group_size));
                let (old, new) = (g.target_size[row], after.instance_groups.target_size[row]);
                if (lo..=hi).contains(&old) {
                    prop_assert!((lo..=hi).contains(&new), "group {row}: {old} → {new} left {lo}..={hi}");
                } else {
                    // A group outside its bounds only ever moves towards them.
                    let towards = if old > hi { lo <= new && new <= old } else { old <= new && new <= hi };
                    prop_assert!(towards, "group {row}: {old} → {new} away from {lo}..={hi}");
                }
            }
            snapshot = after;
        }
    }
}

#[test]
fn a_member_held_by_a_mig_rollout_keeps_its_state_but_takes_ratios() {
    let mut snapshot = serving_pool(4);
    snapshot.members.state[1] = MemberState::Disabled.code();
    let mut run = Run::new();
    run.held.hold(
        "/Common/mlPool",
        "/Common/n1:8080",
        "node n1 is mid MIG rollout (wait_idle)",
    );
    let actions = vec![
        Action::SetMemberState {
            member: 1,
            state: MemberState::Enabled,
        },
        Action::SetMemberRatio {
            member: 1,
            ratio: 20,
        },
        Action::SetMemberState {
            member: 2,
            state: MemberState::Disabled,
        },
    ];
    let outcome = run.pass(&snapshot, actions.clone(), 0);
    assert_eq!(only_rule(&outcome), Rule::Held);
    assert_eq!(
        outcome.rejected[0].detail,
        "node n1 is mid MIG rollout (wait_idle); the rollout sets this member's state until it ends"
    );
    let accepted: Vec<&Action> = outcome
        .accepted
        .iter()
        .map(|a| &a.decision.action)
        .collect();
    assert_eq!(accepted, [&actions[1], &actions[2]]);
}
