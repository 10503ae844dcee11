//! gpu-weighting driving the embedded fleet through the real cycle.

use fulcrum_host::cycle::{LoadedPolicy, run_cycle};
use fulcrum_host::model::{Action, MemberState};
use fulcrum_host::sim::{Fleet, FleetConfig};
use fulcrum_tests::{artifacts, engine, load};

#[test]
fn a_failing_gpu_is_drained_and_restored_and_the_hot_node_gets_less() {
    let engine = engine();
    let mut policies = vec![LoadedPolicy::new(
        load(&engine, artifacts::GPU_WEIGHTING, "{}").unwrap(),
    )];
    let mut fleet = Fleet::new(FleetConfig::default(), 1_767_225_600_000);
    let mut disabled_at = None;
    let mut enabled_at = None;
    let mut ratio_sums = [0u64; 3];
    let mut hot_reasons = 0;
    for version in 1..=30 {
        let report = run_cycle(&mut fleet, &mut policies, version, false);
        for (sum, ratio) in ratio_sums.iter_mut().zip(&report.snapshot.members.ratio) {
            *sum += u64::from(*ratio);
        }
        assert!(
            report.outcomes.iter().all(|o| o.result.is_ok()),
            "{:?}",
            report.outcomes
        );
        for change in &report.changes {
            assert_eq!(change.applied, Some(Ok(())));
            hot_reasons += usize::from(change.decision.reason.contains("hot GPU"));
            match change.decision.action {
                Action::SetMemberState {
                    member: 2,
                    state: MemberState::Disabled,
                } => disabled_at = Some(version),
                Action::SetMemberState {
                    member: 2,
                    state: MemberState::Enabled,
                } => enabled_at = Some(version),
                _ => {}
            }
        }
    }
    // The fleet's XID on ml-node-3 lasts cycles 9 to 13; snapshot N is taken after N-1 cycles.
    let disabled_at = disabled_at.expect("the node with the failed GPU was disabled");
    let enabled_at = enabled_at.expect("the node was re-enabled once healthy");
    assert!(
        (10..=11).contains(&disabled_at),
        "disabled at {disabled_at}"
    );
    assert!(enabled_at > disabled_at + 4, "re-enabled at {enabled_at}");

    assert!(hot_reasons > 0, "some decision names hot GPUs");
    assert!(
        ratio_sums[0] > ratio_sums[1],
        "the badly cooled ml-node-2 gets less than ml-node-1: {ratio_sums:?}"
    );
    assert_eq!(fleet.snapshot(31).member_state(2), MemberState::Enabled);
}

#[test]
fn a_dry_run_applies_nothing() {
    let engine = engine();
    let mut policies = vec![LoadedPolicy::new(
        load(&engine, artifacts::GPU_WEIGHTING, "{}").unwrap(),
    )];
    let mut fleet = Fleet::new(FleetConfig::default(), 0);
    for version in 1..=5 {
        let report = run_cycle(&mut fleet, &mut policies, version, true);
        assert!(report.changes.iter().all(|c| c.applied.is_none()));
    }
    assert!(fleet.snapshot(6).members.ratio.iter().all(|&r| r == 50));
}
