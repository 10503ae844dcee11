//! The policy end to end, natively: snapshots from `SnapshotBuilder`, state in
//! `MemoryHost`, one test per behaviour.

use fulcrum_sdk::column;
use fulcrum_sdk::testing::{GpuSample, MemoryHost, SnapshotBuilder};
use fulcrum_sdk::{
    Action, Availability, Decision, Health, Host, Level, MemberRatio, MemberState, Policy,
    Snapshot, SnapshotView, StateError, actions,
};

use crate::GpuWeighting;
use crate::memory;

const NO_SMOOTHING: &str = r#"{"smoothing": 0}"#;

fn policy(settings: &str) -> GpuWeighting {
    GpuWeighting::configure(settings).unwrap()
}

fn run(policy: &GpuWeighting, snapshot: &Snapshot, host: &mut dyn Host) -> Vec<Decision> {
    policy
        .decide(&SnapshotView::new(snapshot), host)
        .unwrap()
        .to_vec()
}

/// A GPU with 80 GB, `utilization` busy and `used` of its memory in use.
fn gpu(utilization: f32, used: f32, temperature_c: f32) -> GpuSample {
    GpuSample {
        utilization,
        memory_used_mib: used * 80_000.0,
        memory_total_mib: 80_000.0,
        temperature_c,
        health: Health::Healthy,
        ..GpuSample::default()
    }
}

/// One pool with one enabled member at ratio 50 per node; member `i` is served
/// by node `i`, named `gpu-node-i`, whose GPUs are `nodes[i]`.
fn cluster(nodes: &[Vec<GpuSample>]) -> SnapshotBuilder {
    let mut builder = SnapshotBuilder::new();
    let pool = builder.pool("mlPool", "Common", "ratio-member");
    for (i, gpus) in nodes.iter().enumerate() {
        let node = builder.node(&format!("gpu-node-{i}"), &format!("10.0.0.{i}"));
        for (index, sample) in gpus.iter().enumerate() {
            builder.gpu(
                node,
                GpuSample {
                    index: index as u32,
                    ..sample.clone()
                },
            );
        }
        let name = format!("gpu-node-{i}:8080");
        builder.member(
            pool,
            &name,
            &format!("10.0.0.{i}"),
            8080,
            50,
            MemberState::Enabled,
            Availability::Available,
            0,
            Some(node),
        );
    }
    builder
}

/// The `(member, ratio)` of every ratio decision, in order.
fn ratios(decisions: &[Decision]) -> Vec<(u32, u32)> {
    decisions
        .iter()
        .filter_map(|decision| match decision.action {
            Action::SetMemberRatio(MemberRatio { member, ratio }) => Some((member, ratio)),
            _ => None,
        })
        .collect()
}

#[test]
fn idle_nodes_get_higher_ratios_than_busy_ones() {
    let snapshot = cluster(&[vec![gpu(0.0, 0.0, 40.0); 2], vec![gpu(0.95, 0.9, 40.0); 2]]).build();
    let decisions = run(&policy(NO_SMOOTHING), &snapshot, &mut MemoryHost::new());
    assert_eq!(ratios(&decisions), [(0, 100), (1, 8)]);
    assert_eq!(
        decisions[0].reason,
        "gpu util 0%, mem free 100%: ratio 50 → 100"
    );
    assert_eq!(
        decisions[1].reason,
        "gpu util 95%, mem free 10%: ratio 50 → 8"
    );
}

#[test]
fn hot_and_throttled_gpus_lower_the_ratio() {
    let cool = gpu(0.5, 0.5, 60.0);
    let hot = gpu(0.5, 0.5, 90.0);
    let throttled = GpuSample {
        throttled: true,
        ..cool.clone()
    };
    let snapshot = cluster(&[vec![cool], vec![hot], vec![throttled]]).build();
    let decisions = run(&policy(NO_SMOOTHING), &snapshot, &mut MemoryHost::new());
    assert_eq!(ratios(&decisions), [(0, 51), (1, 26), (2, 36)]);
    assert_eq!(
        decisions[1].reason,
        "gpu util 50%, mem free 50%, 1 hot GPU (90 °C): ratio 50 → 26"
    );
    assert_eq!(
        decisions[2].reason,
        "gpu util 50%, mem free 50%, 1 throttled GPU: ratio 50 → 36"
    );
}

#[test]
fn members_on_unhealthy_nodes_are_disabled_with_the_reason() {
    // GPU 3 of the first node fell off the bus; the host judged the second node unhealthy.
    let fallen = GpuSample {
        health: Health::Unhealthy,
        last_xid: 79,
        ..gpu(f32::NAN, f32::NAN, f32::NAN)
    };
    let mut first = vec![gpu(0.5, 0.5, 40.0); 3];
    first.push(fallen);
    let mut builder = cluster(&[first, vec![gpu(0.5, 0.5, 40.0)]]);
    builder.node_health(1, Health::Unhealthy);
    let decisions = run(&policy("{}"), &builder.build(), &mut MemoryHost::new());
    assert_eq!(
        decisions,
        [
            actions::set_member_state(
                0,
                MemberState::Disabled,
                "GPU 3 reported XID 79 (fallen off the bus)"
            ),
            actions::set_member_state(1, MemberState::Disabled, "node unhealthy"),
        ]
    );
}

#[test]
fn a_node_with_most_gpus_healthy_serves_on_weighted_by_them() {
    // One of four GPUs fell off the bus: with min_healthy_share 0.5 the node
    // serves on, its ratio cut to three quarters of an identical node's.
    let fallen = GpuSample {
        health: Health::Unhealthy,
        last_xid: 79,
        ..gpu(f32::NAN, f32::NAN, f32::NAN)
    };
    let mut first = vec![gpu(0.5, 0.5, 40.0); 3];
    first.push(fallen.clone());
    let second = vec![gpu(0.5, 0.5, 40.0); 4];
    let policy = policy(r#"{"smoothing": 0, "min_healthy_share": 0.5}"#);
    let builder = cluster(&[first, second]);
    let decisions = run(&policy, &builder.build(), &mut MemoryHost::new());
    let got = ratios(&decisions);
    assert_eq!(got.len(), 2, "{decisions:?}");
    assert!(
        decisions
            .iter()
            .all(|d| !matches!(d.action, Action::SetMemberState(_)))
    );
    let (weak, full) = (got[0].1 as f32, got[1].1 as f32);
    assert!((weak - 1.0 - 0.75 * (full - 1.0)).abs() <= 1.0, "{got:?}");
    // With three of four down it is taken out.
    let mut mostly_down = vec![fallen.clone(); 3];
    mostly_down.push(gpu(0.5, 0.5, 40.0));
    let decisions = run(
        &policy,
        &cluster(&[mostly_down]).build(),
        &mut MemoryHost::new(),
    );
    assert!(matches!(
        decisions[..],
        [Decision {
            action: Action::SetMemberState(_),
            ..
        }]
    ));
}

#[test]
fn members_the_policy_disabled_are_enabled_again_when_healthy() {
    let mut builder = cluster(&[vec![gpu(0.5, 0.5, 40.0)]]);
    builder.node_health(0, Health::Unhealthy);
    let policy = policy(NO_SMOOTHING);
    let mut host = MemoryHost::new();
    let first = run(&policy, &builder.build(), &mut host);
    assert_eq!(
        first,
        [actions::set_member_state(
            0,
            MemberState::Disabled,
            "node unhealthy"
        )]
    );

    // The host applied the decision; the node is still unhealthy: nothing new.
    let mut snapshot = builder.build();
    snapshot.members.state[0] = MemberState::Disabled.code();
    assert_eq!(run(&policy, &snapshot, &mut host), []);

    builder.node_health(0, Health::Healthy);
    let mut snapshot = builder.build();
    snapshot.members.state[0] = MemberState::Disabled.code();
    let decisions = run(&policy, &snapshot, &mut host);
    assert_eq!(
        decisions,
        [
            actions::set_member_state(0, MemberState::Enabled, "node healthy again"),
            actions::set_member_ratio(0, 51, "gpu util 50%, mem free 50%: ratio 50 → 51"),
        ]
    );
}

#[test]
fn an_operators_disable_is_respected() {
    let mut builder = cluster(&[vec![gpu(0.5, 0.5, 40.0)], vec![gpu(0.5, 0.5, 40.0)]]);
    builder.node_health(0, Health::Unhealthy);
    let policy = policy("{}");
    let mut host = MemoryHost::new();
    let mut snapshot = builder.build();
    snapshot.members.state[0] = MemberState::Disabled.code();
    snapshot.members.state[1] = MemberState::ForcedOffline.code();
    assert_eq!(run(&policy, &snapshot, &mut host), []);

    builder.node_health(0, Health::Healthy);
    let mut snapshot = builder.build();
    snapshot.members.state[0] = MemberState::Disabled.code();
    snapshot.members.state[1] = MemberState::ForcedOffline.code();
    assert_eq!(run(&policy, &snapshot, &mut host), []);
}

#[test]
fn a_member_the_operator_took_over_is_not_re_enabled() {
    let mut builder = cluster(&[vec![gpu(0.5, 0.5, 40.0)]]);
    builder.node_health(0, Health::Unhealthy);
    let policy = policy("{}");
    let mut host = MemoryHost::new();
    run(&policy, &builder.build(), &mut host);

    // The operator forced the member offline, then set it to disabled by hand.
    let mut snapshot = builder.build();
    snapshot.members.state[0] = MemberState::ForcedOffline.code();
    assert_eq!(run(&policy, &snapshot, &mut host), []);
    builder.node_health(0, Health::Healthy);
    let mut snapshot = builder.build();
    snapshot.members.state[0] = MemberState::Disabled.code();
    assert_eq!(run(&policy, &snapshot, &mut host), []);
}

#[test]
fn members_on_stale_nodes_are_left_alone() {
    let mut builder = cluster(&[vec![gpu(1.0, 1.0, 95.0)], vec![gpu(1.0, 1.0, 95.0)]]);
    builder
        .node_stale(0, true)
        .node_health(0, Health::Unhealthy);
    let mut host = MemoryHost::new();
    let decisions = run(&policy("{}"), &builder.build(), &mut host);
    assert_eq!(ratios(&decisions), [(1, 1)]);
    assert_eq!(decisions.len(), 1);
    assert_eq!(
        host.logged(Level::Debug).collect::<Vec<_>>(),
        ["left 1 member on stale nodes alone: gpu-node-0:8080"]
    );
}

#[test]
fn members_without_a_node_or_usable_gpus_are_left_alone() {
    let mut builder = cluster(&[vec![gpu(f32::NAN, f32::NAN, 90.0)], vec![]]);
    builder.member(
        0,
        "unknown:8080",
        "10.9.9.9",
        8080,
        50,
        MemberState::Enabled,
        Availability::Available,
        0,
        None,
    );
    assert_eq!(
        run(&policy("{}"), &builder.build(), &mut MemoryHost::new()),
        []
    );
}

#[test]
fn smoothing_carries_across_cycles_through_state() {
    let policy = policy(r#"{"smoothing": 0.5}"#);
    let mut host = MemoryHost::new();
    let idle = cluster(&[vec![gpu(0.0, 0.0, 40.0)]]).build();
    assert_eq!(ratios(&run(&policy, &idle, &mut host)), [(0, 100)]);

    let mut busy = cluster(&[vec![gpu(1.0, 1.0, 40.0)]]).build();
    busy.members.ratio[0] = 100;
    // Half the previous 100, half the target 1.
    assert_eq!(ratios(&run(&policy, &busy, &mut host)), [(0, 51)]);
    column::set(&mut busy.members.ratio, 0, 51u32);
    assert_eq!(ratios(&run(&policy, &busy, &mut host)), [(0, 26)]);
    assert_eq!(host.state.keys().collect::<Vec<_>>(), [memory::KEY]);
}

#[test]
fn no_action_when_the_rounded_ratio_is_unchanged() {
    let mut snapshot = cluster(&[vec![gpu(0.0, 0.0, 40.0)], vec![gpu(0.5, 0.5, 40.0)]]).build();
    column::set(&mut snapshot.members.ratio, 0, 100u32);
    column::set(&mut snapshot.members.ratio, 1, 51u32);
    assert_eq!(run(&policy("{}"), &snapshot, &mut MemoryHost::new()), []);
}

#[test]
fn only_the_configured_pools_are_managed() {
    let mut builder = cluster(&[vec![gpu(0.0, 0.0, 40.0)], vec![gpu(0.0, 0.0, 40.0)]]);
    let other = builder.pool("otherPool", "Common", "ratio-member");
    builder.member(
        other,
        "gpu-node-1:9090",
        "10.0.0.1",
        9090,
        50,
        MemberState::Enabled,
        Availability::Available,
        0,
        Some(1),
    );
    let mut host = MemoryHost::new();
    let decisions = run(
        &policy(r#"{"pools": ["otherPool", "gonePool"]}"#),
        &builder.build(),
        &mut host,
    );
    assert_eq!(ratios(&decisions), [(2, 100)]);
    assert_eq!(
        host.logged(Level::Warn).collect::<Vec<_>>(),
        ["settings.pools: no pool named \"gonePool\" in the snapshot"]
    );
}

#[test]
fn invalid_settings_are_refused_naming_the_setting() {
    assert_eq!(
        GpuWeighting::configure(r#"{"max_ratio": 0}"#),
        Err("settings.max_ratio: 0 is out of range; expected 1..=65535".to_owned())
    );
    let unknown = GpuWeighting::configure(r#"{"foo": 1}"#).unwrap_err();
    assert!(
        unknown.starts_with("settings: unknown field `foo`"),
        "{unknown}"
    );
}

#[test]
fn corrupt_state_is_ignored_with_a_warning() {
    let snapshot = cluster(&[vec![gpu(0.0, 0.0, 40.0)]]).build();
    let mut host = MemoryHost::new();
    host.state.insert(memory::KEY.into(), b"garbage".to_vec());
    assert_eq!(
        ratios(&run(&policy("{}"), &snapshot, &mut host)),
        [(0, 100)]
    );
    let warnings: Vec<&str> = host.logged(Level::Warn).collect();
    assert_eq!(
        warnings,
        [
            "ignoring unreadable state \"member-memory\" (byte 0: unknown format (no \"fgw1\" header)); starting afresh"
        ]
    );
    assert!(memory::Memory::decode(&host.state[memory::KEY]).is_ok());
}

#[test]
fn a_refused_state_write_is_logged_and_the_decisions_stand() {
    let snapshot = cluster(&[vec![gpu(0.0, 0.0, 40.0)]]).build();
    let mut host = MemoryHost::with_quota(8);
    assert_eq!(
        ratios(&run(&policy("{}"), &snapshot, &mut host)),
        [(0, 100)]
    );
    let warning = host.logged(Level::Warn).next().unwrap().to_owned();
    assert!(
        warning.starts_with("could not save state \"member-memory\""),
        "{warning}"
    );
    assert!(
        warning.ends_with(&StateError::QuotaExceeded(8).to_string()),
        "{warning}"
    );
}

/// Counts the host calls a cycle makes.
struct CountingHost {
    inner: MemoryHost,
    calls: usize,
}

impl Host for CountingHost {
    fn log(&mut self, level: Level, message: &str) {
        self.inner.log(level, message);
    }

    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.calls += 1;
        self.inner.state_get(key)
    }

    fn state_set(&mut self, key: &str, value: &[u8]) -> Result<(), StateError> {
        self.calls += 1;
        self.inner.state_set(key, value)
    }

    fn state_delete(&mut self, key: &str) {
        self.calls += 1;
        self.inner.state_delete(key);
    }
}

/// `n` nodes with varied load, so ratios, hot GPUs and throttling all differ.
fn varied(n: usize) -> SnapshotBuilder {
    let nodes: Vec<Vec<GpuSample>> = (0..n)
        .map(|i| {
            (0..8)
                .map(|g| {
                    let load = ((i * 7 + g * 3) % 11) as f32 / 10.0;
                    GpuSample {
                        throttled: (i + g) % 5 == 0,
                        ..gpu(load, 1.0 - load / 2.0, 60.0 + (i % 40) as f32)
                    }
                })
                .collect()
        })
        .collect();
    cluster(&nodes)
}

#[test]
fn a_cycle_costs_one_get_and_one_set_however_many_members() {
    let snapshot = varied(1_000).build();
    let policy = policy("{}");
    let mut host = CountingHost {
        inner: MemoryHost::new(),
        calls: 0,
    };
    run(&policy, &snapshot, &mut host);
    assert_eq!(host.calls, 2);
    assert_eq!(host.inner.state.len(), 1);
}

#[test]
fn same_snapshot_and_state_give_the_same_decisions() {
    let snapshot = varied(200).build();
    let policy = policy("{}");
    let mut host = MemoryHost::new();
    run(&policy, &snapshot, &mut host);

    let (mut first_host, mut second_host) = (host.clone(), host);
    let first = run(&policy, &snapshot, &mut first_host);
    let second = run(&policy, &snapshot, &mut second_host);
    assert!(!first.is_empty());
    assert_eq!(first, second);
    assert_eq!(first_host, second_host);
    let rows: Vec<u32> = ratios(&first).iter().map(|&(row, _)| row).collect();
    assert!(rows.is_sorted(), "decisions follow member rows");
}
