//! The policy end to end, natively: snapshots from `SnapshotBuilder`, one test
//! per behaviour.

use fulcrum_sdk::testing::{MemoryHost, SnapshotBuilder};
use fulcrum_sdk::{
    Action, Decision, GroupSize, InstanceAction, InstanceStatus, Level, Policy, SnapshotView,
};

use crate::QueueScaling;

fn run(settings: &str, snapshot: &SnapshotBuilder) -> (Vec<Decision>, MemoryHost) {
    let policy = QueueScaling::configure(settings).unwrap();
    let mut host = MemoryHost::new();
    let snapshot = snapshot.build();
    let decisions = policy
        .decide(&SnapshotView::new(&snapshot), &mut host)
        .unwrap()
        .to_vec();
    (decisions, host)
}

/// One group of `size` running instances, sized 1..=10, and the global signal.
fn group(size: u32, demand: f64) -> SnapshotBuilder {
    let mut builder = SnapshotBuilder::new();
    let group = builder.instance_group("workers", "us-central1-a", size, size, 1, 10);
    for i in 0..size {
        builder.instance(
            group,
            &format!("workers-{i}"),
            InstanceStatus::Running,
            InstanceAction::None,
            true,
            None,
        );
    }
    builder.signal("queue-depth", demand);
    builder
}

fn sizes(decisions: &[Decision]) -> Vec<u32> {
    decisions
        .iter()
        .map(|d| match d.action {
            Action::ResizeGroup(GroupSize { target_size, .. }) => target_size,
            ref other => panic!("unexpected action {other:?}"),
        })
        .collect()
}

#[test]
fn rising_demand_grows_the_group_to_demand_over_target() {
    let (decisions, _) = run("{}", &group(3, 720.0));
    assert_eq!(sizes(&decisions), [8]);
    assert_eq!(
        decisions[0].reason,
        "queue-depth = 720 at 100 per instance wants 8 instances: 3 → 8"
    );
}

#[test]
fn falling_demand_shrinks_it_but_never_below_min() {
    let (decisions, _) = run("{}", &group(5, 0.0));
    assert_eq!(sizes(&decisions), [1]);
    assert!(decisions[0].reason.contains("(bounded to 1..=10)"));
}

#[test]
fn demand_beyond_max_asks_for_max() {
    let (decisions, _) = run("{}", &group(3, 5000.0));
    assert_eq!(sizes(&decisions), [10]);
}

#[test]
fn demand_within_tolerance_changes_nothing() {
    let (decisions, _) = run("{}", &group(4, 430.0));
    assert!(decisions.is_empty(), "{decisions:?}");
    let (decisions, _) = run(r#"{"tolerance": 0}"#, &group(4, 430.0));
    assert_eq!(sizes(&decisions), [5]);
}

#[test]
fn a_group_signal_overrides_the_global_one() {
    let mut snapshot = group(3, 100.0);
    snapshot.signal("queue-depth/workers", 600.0);
    let (decisions, _) = run("{}", &snapshot);
    assert_eq!(sizes(&decisions), [6]);
    assert!(decisions[0].reason.starts_with("queue-depth/workers = 600"));
}

#[test]
fn a_missing_signal_leaves_the_group_alone_and_says_so() {
    let (decisions, host) = run(r#"{"signal": "tokens"}"#, &group(3, 900.0));
    assert!(decisions.is_empty());
    let warnings: Vec<_> = host.logged(Level::Warn).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("no usable signal tokens/workers or tokens"));
}

#[test]
fn a_stockout_stops_growth_but_not_shrinking() {
    let mut snapshot = group(3, 900.0);
    let stuck = snapshot.instance(
        0,
        "workers-3",
        InstanceStatus::Provisioning,
        InstanceAction::Creating,
        false,
        None,
    );
    snapshot.instance_error(stuck, "ZONE_RESOURCE_POOL_EXHAUSTED");
    let (decisions, host) = run("{}", &snapshot);
    assert!(decisions.is_empty(), "{decisions:?}");
    assert!(
        host.logged(Level::Warn)
            .any(|m| m.contains("ZONE_RESOURCE_POOL_EXHAUSTED"))
    );

    let mut quiet = group(3, 0.0);
    let stuck = quiet.instance(
        0,
        "workers-3",
        InstanceStatus::Provisioning,
        InstanceAction::Creating,
        false,
        None,
    );
    quiet.instance_error(stuck, "ZONE_RESOURCE_POOL_EXHAUSTED");
    let (decisions, _) = run("{}", &quiet);
    assert_eq!(sizes(&decisions), [1]);
}

#[test]
fn only_the_named_groups_are_managed() {
    let (decisions, _) = run(r#"{"groups": ["other"]}"#, &group(3, 900.0));
    assert!(decisions.is_empty());
}

#[test]
fn bad_settings_name_every_problem() {
    let err =
        QueueScaling::configure(r#"{"target_per_instance": 0, "tolerance": 1.5, "groups": []}"#)
            .unwrap_err();
    assert!(
        err.contains("settings.target_per_instance: 0 must be a positive number"),
        "{err}"
    );
    assert!(
        err.contains("settings.tolerance: 1.5 is out of range"),
        "{err}"
    );
    assert!(err.contains("settings.groups: an empty list"), "{err}");
    let err = QueueScaling::configure(r#"{"targets": 1}"#).unwrap_err();
    assert!(err.contains("unknown field `targets`"), "{err}");
}
