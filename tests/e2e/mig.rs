//! MIG resizing end to end on the embedded demo: the `mig-resize` policy
//! reads per-profile demand and the fleet's MIG instances (scraped from its
//! DCGM exporters), the guard checks the layouts, and the engine's MIG
//! rollouts drain the node through the BIG-IP simulator, reconfigure idle
//! GPUs through the fleet's node agent and restore the node; a host
//! restarted mid-sequence resumes the rollout from its store, and a policy
//! that would enable the drained members meanwhile is held off.

use std::path::Path;

use fulcrum_host::actuators::mig::bigip_drain::BigIpDrain;
use fulcrum_host::actuators::mig::drain::Drain;
use fulcrum_host::actuators::mig::refusal::StartRefused;
use fulcrum_host::actuators::mig::rollouts::MigEvent;
use fulcrum_host::config::{PolicyConfig, RunConfig};
use fulcrum_host::engine::{CycleReport, Mode};
use fulcrum_host::guard::Rule;
use fulcrum_host::model::Snapshot;
use fulcrum_host::plan::Change;
use fulcrum_host::sim::FleetConfig;
use fulcrum_tests::{World, artifacts};

/// A policy that enables every member that is not enabled, granted to.
fn enable_all() -> PolicyConfig {
    let text = format!(
        "[[policies]]\npath = \"{}\"\n\
         [[policies.grant]]\nactions = [\"member-state\"]\npools = [\"*\"]\n",
        artifacts::ENABLE_ALL
    );
    RunConfig::parse(&text, Path::new("."))
        .expect("the policy's configuration parses")
        .policies
        .remove(0)
}

/// The policy's busy threshold: the light demo load stays under it.
const BUSY: f32 = 0.25;

fn mig_resize() -> PolicyConfig {
    let text = format!(
        "[[policies]]\npath = \"{}\"\nsettings = {{ busy_threshold = {BUSY} }}\n\
         [[policies.grant]]\nactions = [\"mig-layout\"]\nnodes = [\"ml-node-1\"]\n",
        artifacts::MIG_RESIZE
    );
    RunConfig::parse(&text, Path::new("."))
        .expect("the policy's configuration parses")
        .policies
        .remove(0)
}

/// A light, steady load and no faults: every GPU takes requests, none is
/// busy by the policy's measure.
fn fleet() -> FleetConfig {
    FleetConfig {
        offered_load_rps: 90.0,
        faults: vec![],
        ..FleetConfig::default()
    }
}

/// One cycle of the engine (MIG rollouts included), then a step of the world.
async fn cycle(world: &mut World) -> (CycleReport, Vec<MigEvent>) {
    let mut report = world.cycle(Mode::Apply).await;
    assert!(
        report.source_errors.is_empty(),
        "{:?}",
        report.source_errors
    );
    let events = std::mem::take(&mut report.mig_events);
    (report, events)
}

/// The phases of the rollouts in progress.
fn phases(world: &World) -> Vec<&'static str> {
    world
        .engine
        .mig_rollouts()
        .expect("the demo configures [mig]")
        .in_progress()
        .map(|r| r.phase_name())
        .collect()
}

/// Enabled members of `mlPool` on the BIG-IP now, and whether ml-node-1's is.
async fn enabled_members(world: &World) -> (usize, bool) {
    let bigip = world.backends.bigip.as_ref().unwrap();
    let pools = BigIpDrain::new(bigip)
        .pools("ml-node-1")
        .await
        .expect("the pool reads");
    let enabled: Vec<_> = pools
        .iter()
        .flat_map(|p| &p.members)
        .filter(|m| m.enabled())
        .collect();
    let node_1 = enabled
        .iter()
        .any(|m| m.node.as_deref() == Some("ml-node-1"));
    (enabled.len(), node_1)
}

/// Whether GPU `index` of ml-node-1 and all its MIG instances are at or
/// below `threshold` in `s`.
fn idle(s: &Snapshot, index: u32, threshold: f32) -> bool {
    let node = s.node_by_name("ml-node-1").unwrap();
    let row = s
        .node_gpus(node)
        .find(|&r| s.gpus.index[r] == index)
        .unwrap();
    let mut activity = vec![s.gpus.utilization[row]];
    activity.extend(
        s.gpu_mig_instances(row as u32)
            .map(|i| s.mig_instances.utilization[i]),
    );
    activity.iter().all(|&a| a <= threshold)
}

/// Instances of `profile` in `s`.
fn supply(s: &Snapshot, profile: &str) -> usize {
    let profiles = &s.mig_instances.profile;
    profiles.iter().filter(|&&p| s.string(p) == profile).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn demand_shifting_to_small_instances_reshapes_idle_gpus_behind_a_drain() {
    let state = tempfile::tempdir().unwrap();
    let mut world = World::start_with_store(
        fleet(),
        vec![mig_resize(), enable_all()],
        Some(state.path()),
    )
    .await;
    world.demo.mig_agent().set_reconfigure_steps(2);

    world.engine.set_signal("mig-demand/7g.80gb", 4.0);
    for _ in 0..3 {
        let (report, events) = cycle(&mut world).await;
        assert_eq!(
            supply(&report.snapshot, "7g.80gb"),
            4,
            "the seed layout is scraped"
        );
        assert!(report.plan.is_empty(), "demand is met: {:?}", report.plan);
        assert!(events.is_empty(), "{events:?}");
    }

    world.engine.set_signal("mig-demand/7g.80gb", 2.0);
    world.engine.set_signal("mig-demand/1g.10gb", 14.0);
    let mut started = Vec::new();
    let mut finished = Vec::new();
    let mut drained_while_reconfiguring = false;
    let mut restarted = false;
    let mut held_off = 0;
    let mut last = None;
    for _ in 0..40 {
        let (report, events) = cycle(&mut world).await;
        for event in &events {
            match event {
                MigEvent::Started { gpus, .. } => {
                    for &gpu in gpus {
                        assert!(
                            idle(&report.snapshot, gpu, BUSY),
                            "GPU {gpu} was idle when its layout was planned"
                        );
                    }
                    started.push(gpus.clone());
                }
                MigEvent::Finished { outcome, .. } => finished.push(outcome.clone()),
                MigEvent::Refused { reason, .. } => {
                    assert!(
                        matches!(reason, StartRefused::MidRollout { .. }),
                        "{reason}"
                    )
                }
                MigEvent::PersistFailed { .. } => panic!("{event}"),
                MigEvent::Stepped { .. } => {}
            }
        }
        for rejection in &report.rejected {
            assert_eq!(rejection.rule, Rule::Held, "{rejection}");
            assert!(
                rejection.detail.contains("ml-node-1 is mid MIG rollout"),
                "{rejection}"
            );
            held_off += 1;
        }
        for change in &report.plan.changes {
            let Change::MigLayout { node, .. } = &change.change else {
                panic!("only MIG layouts are planned, no drained member is enabled: {change:?}");
            };
            assert_eq!(node, "ml-node-1", "granted on ml-node-1 only");
        }
        let (enabled, node_1) = enabled_members(&world).await;
        assert!(enabled >= 1, "mlPool always keeps an enabled member");
        if phases(&world).contains(&"confirm") {
            drained_while_reconfiguring |= !node_1;
            if !restarted {
                // Stop the host mid-rollout; only its store carries over,
                // and the operator's signals are set again.
                world = world.restart();
                world.engine.set_signal("mig-demand/7g.80gb", 2.0);
                world.engine.set_signal("mig-demand/1g.10gb", 14.0);
                restarted = true;
            }
        }
        let done = phases(&world).is_empty() && supply(&report.snapshot, "1g.10gb") >= 14;
        last = Some(report);
        if done {
            break;
        }
    }

    assert!(restarted, "a rollout reached confirm");
    assert!(held_off > 0, "enable-all tried to undo the drain");
    assert!(
        drained_while_reconfiguring,
        "ml-node-1 is drained while it reconfigures"
    );
    assert!(started.len() >= 2, "{started:?}");
    assert_eq!(
        finished.len(),
        started.len(),
        "every rollout finished: {finished:?}"
    );
    assert!(finished.iter().all(Result::is_ok), "{finished:?}");
    let s = last.expect("cycles ran").snapshot;
    assert!(supply(&s, "1g.10gb") >= 14, "the demand is met");
    assert_eq!(supply(&s, "7g.80gb"), 2);
    assert_eq!(
        enabled_members(&world).await,
        (3, true),
        "service is restored"
    );
}
