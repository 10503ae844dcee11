//! The reconcile engine end to end on the embedded demo: real policies, the
//! BIG-IP simulator over HTTPS, the GCE simulator, the fleet's DCGM
//! exporters, and the guard between them.

use std::path::Path;
use std::time::Duration;

use fulcrum_host::config::{PolicyConfig, RunConfig};
use fulcrum_host::engine::{CycleReport, Mode, RunOutcome};
use fulcrum_host::guard::Grants;
use fulcrum_host::model::{Code, MemberState, Snapshot};
use fulcrum_host::plan::Change;
use fulcrum_host::sim::FleetConfig;
use fulcrum_tests::{World, artifacts};

fn policy(path: &str, grants: &str) -> PolicyConfig {
    let mut policy = PolicyConfig::from_command_line(path.into());
    policy.grants = grants_from(grants);
    policy
}

/// Grants written as in a configuration file's `[[policies.grant]]` tables.
fn grants_from(toml: &str) -> Grants {
    let text = format!("[[policies]]\npath = \"p.wasm\"\n{toml}");
    RunConfig::parse(&text, Path::new("."))
        .expect("grants parse")
        .policies
        .remove(0)
        .grants
}

fn member(s: &Snapshot, name: &str) -> (u32, MemberState) {
    let row = (0..s.members.name.len())
        .find(|&m| s.string(s.members.name[m]).starts_with(name))
        .unwrap_or_else(|| panic!("no member {name}"));
    (s.members.ratio[row], s.member_state(row as u32))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_gpu_is_drained_and_restored_and_the_hot_node_gets_less() {
    let gpu_weighting = policy(
        artifacts::GPU_WEIGHTING,
        "[[policies.grant]]\nactions = [\"member-ratio\", \"member-state\"]\npools = [\"mlPool\"]",
    );
    let mut world = World::start(FleetConfig::default(), vec![gpu_weighting]).await;
    let mut states = Vec::new();
    let mut last = None;
    for cycle in 0..20 {
        let report = world.cycle(Mode::Apply).await;
        assert!(
            report.source_errors.is_empty(),
            "{:?}",
            report.source_errors
        );
        if cycle == 0 {
            // Every ratio starts at 1; the first step towards the policy's
            // target is cut to the rails' step limit, and counted.
            let held: Vec<_> = report
                .accepted
                .iter()
                .filter(|a| !a.clamps.is_empty())
                .collect();
            assert_eq!(held.len(), 3, "{:?}", report.accepted);
            assert!(world.metrics.encode().contains(
                "fulcrum_guard_rules_total{policy=\"gpu-weighting\",rule=\"step-limit\",effect=\"held-back\"} 3"
            ));
        }
        states.push(member(&report.snapshot, "ml-node-3").1);
        last = Some(report);
    }
    let disabled_at = states
        .iter()
        .position(|&s| s == MemberState::Disabled)
        .expect("ml-node-3 is drained while its GPU reports XID 79");
    assert!((9..=13).contains(&disabled_at), "{states:?}");
    assert_eq!(
        states.last(),
        Some(&MemberState::Enabled),
        "restored once healthy: {states:?}"
    );
    let s = last.unwrap().snapshot;
    let (cool, _) = member(&s, "ml-node-1");
    let (hot, _) = member(&s, "ml-node-2");
    assert!(
        hot < cool,
        "the badly cooled node gets less: {hot} vs {cool}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_plans_but_changes_nothing() {
    let mut world = World::start(
        FleetConfig::default(),
        vec![PolicyConfig::from_command_line(
            artifacts::GPU_WEIGHTING.into(),
        )],
    )
    .await;
    let first = world.cycle(Mode::DryRun).await;
    for _ in 0..3 {
        let report = world.cycle(Mode::DryRun).await;
        assert!(report.applied.is_none());
        assert!(!report.plan.is_empty(), "the policy wants changes");
        for m in ["ml-node-1", "ml-node-2", "ml-node-3"] {
            assert_eq!(member(&report.snapshot, m), member(&first.snapshot, m));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn actions_outside_the_grants_are_rejected_and_counted() {
    let narrow = policy(
        artifacts::GPU_WEIGHTING,
        "[[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"otherPool\"]",
    );
    let mut world = World::start(FleetConfig::default(), vec![narrow]).await;
    let report = world.cycle(Mode::Apply).await;
    let before = member(&report.snapshot, "ml-node-1");
    assert!(report.plan.is_empty());
    assert_eq!(report.rejected.len(), 3, "{:?}", report.rejected);
    assert!(
        report.rejected[0]
            .to_string()
            .contains("no grant of member-ratio on"),
        "{}",
        report.rejected[0]
    );
    let metrics = world.metrics.encode();
    assert!(
        metrics.contains(
            "fulcrum_actions_total{policy=\"gpu-weighting\",kind=\"member-ratio\",outcome=\"rejected\"} 3"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "fulcrum_guard_rules_total{policy=\"gpu-weighting\",rule=\"not-granted\",effect=\"rejected\"} 3"
        ),
        "{metrics}"
    );
    let report = world.cycle(Mode::Apply).await;
    assert_eq!(
        member(&report.snapshot, "ml-node-1"),
        before,
        "nothing was applied"
    );
}

/// The size the queue-scaling policy proposed this cycle, if it proposed one.
fn proposed_size(report: &CycleReport) -> Option<u32> {
    report.runs.iter().find_map(|run| match &run.outcome {
        RunOutcome::Evaluated(e) => e.decisions.iter().find_map(|d| match d.action {
            fulcrum_host::model::Action::ResizeGroup { target_size, .. } => Some(target_size),
            _ => None,
        }),
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn rising_demand_scales_out_and_scale_in_waits_for_the_window() {
    let scaling = policy(
        artifacts::QUEUE_SCALING,
        "[[policies.grant]]\nactions = [\"group-size\"]\ngroups = [\"tf-instance-group-manager\"]",
    );
    let mut world = World::start(FleetConfig::default(), vec![scaling]).await;
    let window_ms = world.config.guard.scale_in_stabilization.as_millis() as u64;
    // (time, target size observed, size proposed)
    let mut history = Vec::new();
    for _ in 0..45 {
        let report = world.cycle(Mode::Apply).await;
        let s = &report.snapshot;
        history.push((
            s.time_ms,
            s.instance_groups.target_size[0],
            proposed_size(&report),
        ));
        // Let the simulated instances boot between cycles.
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let peak = history.iter().map(|h| h.1).max().unwrap();
    assert!(peak > 3, "the surge grows the group: {history:?}");
    let shrink = history
        .windows(2)
        .position(|w| w[1].1 < w[0].1 && w[0].1 == peak)
        .map(|i| i + 1)
        .expect("the group shrinks after the surge");
    let first_lower = history
        .iter()
        .position(|h| h.2.is_some_and(|p| p < peak) && h.1 == peak)
        .expect("a smaller size was proposed");
    assert!(
        history[shrink].0 - history[first_lower].0 >= window_ms,
        "scale-in waited out the {window_ms} ms window: {history:?}"
    );
}

/// Cycle until a reload, which compiles off the control loop, is reported
/// (at most 100 cycles); the running version is evaluated meanwhile.
async fn cycle_until_reloaded(world: &mut World) -> CycleReport {
    for _ in 0..100 {
        let report = world.cycle(Mode::Apply).await;
        if !report.reloads.is_empty() {
            return report;
        }
        assert!(matches!(report.runs[0].outcome, RunOutcome::Evaluated(_)));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no reload was reported in 100 cycles");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_swapped_on_disk_is_reloaded_only_when_it_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.wasm");
    std::fs::copy(artifacts::GPU_WEIGHTING, &path).unwrap();
    let mut world = World::start(
        FleetConfig::default(),
        vec![PolicyConfig::from_command_line(path.clone())],
    )
    .await;
    world.cycle(Mode::Apply).await;

    std::fs::write(&path, b"\0asm broken").unwrap();
    let report = cycle_until_reloaded(&mut world).await;
    assert!(
        report.reloads[0].starts_with("gpu-weighting: reload failed, the running version stays"),
        "{:?}",
        report.reloads
    );
    assert!(matches!(report.runs[0].outcome, RunOutcome::Evaluated(_)));
    assert_eq!(report.runs[0].policy, "gpu-weighting");

    std::fs::copy(artifacts::EMPTY, &path).unwrap();
    let report = cycle_until_reloaded(&mut world).await;
    assert_eq!(report.reloads.len(), 1, "{:?}", report.reloads);
    assert!(
        report.reloads[0].contains("reloaded"),
        "{:?}",
        report.reloads
    );
    assert_ne!(
        report.runs[0].policy, "gpu-weighting",
        "the new one took over"
    );
    assert!(
        report
            .plan
            .changes
            .iter()
            .all(|c| !matches!(c.change, Change::MemberState { .. }))
    );
    assert!(
        report
            .snapshot
            .members
            .state
            .iter()
            .all(|&s| s == MemberState::Enabled.code())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_policy_that_keeps_failing_is_quarantined_and_changes_nothing() {
    let trap = policy(
        artifacts::TRAP,
        "[[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"mlPool\"]",
    );
    let mut world = World::start(FleetConfig::default(), vec![trap]).await;
    let limit = world.config.engine.quarantine_after as usize;
    for cycle in 1..=limit + 1 {
        let report = world.cycle(Mode::Apply).await;
        assert!(report.plan.is_empty(), "fail-static: nothing planned");
        match &report.runs[0].outcome {
            RunOutcome::Failed(error) if cycle <= limit => {
                assert!(error.contains("policy bug: index out of range"), "{error}")
            }
            RunOutcome::Quarantined(reason) if cycle > limit => {
                assert!(
                    reason.starts_with(&format!("{limit} failures in a row")),
                    "{reason}"
                )
            }
            other => panic!("cycle {cycle}: {other:?}"),
        }
    }
    let metrics = world.metrics.encode();
    assert!(
        metrics.contains("fulcrum_policy_quarantined{policy=\"test-trap\"} 1"),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stockout_shows_per_instance_and_does_not_loop_resizes() {
    let scaling = policy(
        artifacts::QUEUE_SCALING,
        "[[policies.grant]]\nactions = [\"group-size\"]\ngroups = [\"tf-instance-group-manager\"]",
    );
    let mut world = World::start(FleetConfig::default(), vec![scaling]).await;
    world.demo.gce_sim().set_faults(fulcrum_gce::sim::Faults {
        stockout: true,
        ..Default::default()
    });
    world.engine.set_signal("queue-depth", 800.0);
    let mut resizes = Vec::new();
    let mut errors = Vec::new();
    for _ in 0..8 {
        // The demo's queue would override the signal; drive the engine alone.
        let report = world.engine.cycle(world.demo.now_ms(), Mode::Apply).await;
        resizes.extend(report.plan.changes.iter().map(|c| c.change.to_string()));
        let s = &report.snapshot;
        errors.extend(
            s.instances
                .last_error
                .iter()
                .filter(|&&e| e != fulcrum_host::model::NONE)
                .map(|&e| s.string(e).to_owned()),
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        errors
            .iter()
            .any(|e| e.contains("ZONE_RESOURCE_POOL_EXHAUSTED")),
        "the stockout is in the snapshot, per instance: {errors:?}"
    );
    assert_eq!(
        resizes.len(),
        1,
        "one resize, then no more while instances fail to start: {resizes:?}"
    );
}
