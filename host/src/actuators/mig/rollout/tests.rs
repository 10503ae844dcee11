//! The rollout against an in-memory load balancer and executor, including a
//! host killed after every step (persisted state reloaded) and killed inside
//! a step (its side effects done, its new state lost).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use super::*;
use crate::actuators::mig::drain::MemberStatus;
use crate::model::MemberState;

/// The world the rollout acts on; shared by the fakes, survives "restarts".
#[derive(Debug, Default)]
struct World {
    /// (pool, member) → (node, enabled).
    members: BTreeMap<(String, String), (Option<String>, bool)>,
    /// Members an operator forced offline (not enabled, and not merely disabled).
    forced_offline: BTreeSet<(String, String)>,
    /// Label-like status the executor reports; set by the test.
    status: Option<ApplyStatus>,
    applied: Vec<String>,
    fail_apply: bool,
    fail_enable: usize,
}

type Shared = Arc<Mutex<World>>;

/// What a fake reports when it fails.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Fault(String);

struct FakeDrain(Shared);
struct FakeExecutor(Shared);

impl Drain for FakeDrain {
    type Error = Fault;

    async fn pools(&mut self, node: &str) -> Result<Vec<PoolMembers>, Fault> {
        let world = self.0.lock().unwrap();
        let mut pools: BTreeMap<String, Vec<MemberStatus>> = BTreeMap::new();
        for (key @ (pool, member), (on, enabled)) in &world.members {
            let state = if world.forced_offline.contains(key) {
                MemberState::ForcedOffline
            } else if *enabled {
                MemberState::Enabled
            } else {
                MemberState::Disabled
            };
            pools.entry(pool.clone()).or_default().push(MemberStatus {
                name: member.clone(),
                node: on.clone(),
                state,
            });
        }
        Ok(pools
            .into_iter()
            .filter(|(_, members)| members.iter().any(|m| m.node.as_deref() == Some(node)))
            .map(|(pool, members)| PoolMembers { pool, members })
            .collect())
    }

    async fn set_enabled(&mut self, member: &MemberId, enabled: bool) -> Result<(), Fault> {
        let mut world = self.0.lock().unwrap();
        if enabled && world.fail_enable > 0 {
            world.fail_enable -= 1;
            return Err(Fault(format!("{member}: load balancer unreachable")));
        }
        let key = (member.pool.clone(), member.member.clone());
        let entry = world
            .members
            .get_mut(&key)
            .ok_or_else(|| Fault(format!("{member}: no such member")))?;
        entry.1 = enabled;
        world.forced_offline.remove(&key);
        Ok(())
    }
}

impl Executor for FakeExecutor {
    type Error = Fault;

    async fn apply(&self, request: &MigRequest) -> Result<(), Fault> {
        let mut world = self.0.lock().unwrap();
        if world.fail_apply {
            return Err(Fault("mig manager unreachable".into()));
        }
        world.applied.push(request.describe());
        world.status = Some(ApplyStatus::Pending("pending".into()));
        Ok(())
    }

    async fn status(&self, _request: &MigRequest) -> Result<ApplyStatus, Fault> {
        self.0
            .lock()
            .unwrap()
            .status
            .clone()
            .ok_or_else(|| Fault("no label".to_owned()))
    }
}

fn world() -> Shared {
    let mut world = World::default();
    for (pool, member, node, enabled) in [
        ("/Common/mlPool", "ml-node-1:8080", "ml-node-1", true),
        ("/Common/mlPool", "ml-node-2:8080", "ml-node-2", true),
        ("/Common/mlPool", "ml-node-3:8080", "ml-node-3", false),
        ("/Common/embed", "ml-node-1:9090", "ml-node-1", true),
        ("/Common/embed", "ml-node-2:9090", "ml-node-2", true),
        ("/Common/other", "ml-node-4:8080", "ml-node-4", true),
    ] {
        world
            .members
            .insert((pool.into(), member.into()), (Some(node.into()), enabled));
    }
    Arc::new(Mutex::new(world))
}

fn rollout() -> Rollout {
    Rollout::new(
        MigRequest {
            node: "ml-node-1".into(),
            gpus: vec![0, 1],
            model: "NVIDIA H100 80GB HBM3".into(),
            profiles: [("3g.40gb".to_owned(), 2)].into(),
        },
        RolloutConfig {
            idle_timeout_ms: 60_000,
            confirm_timeout_ms: 120_000,
        },
    )
}

fn enabled(world: &Shared, member: &str) -> bool {
    world
        .lock()
        .unwrap()
        .members
        .iter()
        .find(|((_, m), _)| m == member)
        .map(|(_, (_, enabled))| *enabled)
        .unwrap()
}

fn tick(now_ms: u64, gpus_idle: bool) -> Tick {
    Tick { now_ms, gpus_idle }
}

async fn cycle(rollout: &mut Rollout, world: &Shared, tick: Tick) -> Vec<StepReport> {
    rollout
        .drive(
            tick,
            &mut FakeDrain(world.clone()),
            &FakeExecutor(world.clone()),
            async |_| Ok::<(), ()>(()),
        )
        .await
        .unwrap()
}

/// The world's side of the scenario at time `t`: the GPUs go idle at 20 s,
/// the MIG manager reports success from 40 s on.
fn observe(world: &Shared, t: u64) -> Tick {
    if t >= 40_000 {
        let mut world = world.lock().unwrap();
        if world.status.is_some() {
            world.status = Some(ApplyStatus::Success);
        }
    }
    tick(t, t >= 20_000)
}

#[tokio::test]
async fn a_rollout_drains_waits_applies_confirms_and_restores() {
    let world = world();
    let mut rollout = rollout();
    let reports = cycle(&mut rollout, &world, observe(&world, 0)).await;
    let phases: Vec<&str> = reports.iter().map(|r| r.from).collect();
    assert_eq!(phases, ["plan", "drain", "wait_idle"]);
    assert_eq!(rollout.phase_name(), "wait_idle");
    assert!(!enabled(&world, "ml-node-1:8080") && !enabled(&world, "ml-node-1:9090"));
    assert!(enabled(&world, "ml-node-2:8080"));

    cycle(&mut rollout, &world, observe(&world, 10_000)).await;
    assert_eq!(rollout.phase_name(), "wait_idle");
    cycle(&mut rollout, &world, observe(&world, 20_000)).await;
    assert_eq!(rollout.phase_name(), "confirm");
    assert_eq!(world.lock().unwrap().applied, ["2×3g.40gb"]);
    let reports = cycle(&mut rollout, &world, observe(&world, 40_000)).await;
    assert_eq!(reports.last().unwrap().progress, Progress::Done(Ok(())));
    assert!(enabled(&world, "ml-node-1:8080") && enabled(&world, "ml-node-1:9090"));
    // The member that was disabled before the rollout stays disabled.
    assert!(!enabled(&world, "ml-node-3:8080"));
}

#[tokio::test]
async fn restoring_leaves_a_member_an_operator_forced_offline_meanwhile() {
    let world = world();
    let mut rollout = rollout();
    cycle(&mut rollout, &world, observe(&world, 0)).await;
    assert!(!enabled(&world, "ml-node-1:9090"));
    // While the node is drained, an operator takes one of its members out.
    let taken = ("/Common/embed".to_owned(), "ml-node-1:9090".to_owned());
    world.lock().unwrap().forced_offline.insert(taken.clone());

    cycle(&mut rollout, &world, observe(&world, 20_000)).await;
    let reports = cycle(&mut rollout, &world, observe(&world, 40_000)).await;
    let done = reports.last().unwrap();
    assert_eq!(done.progress, Progress::Done(Ok(())));
    assert!(enabled(&world, "ml-node-1:8080"));
    assert!(!enabled(&world, "ml-node-1:9090"));
    assert!(world.lock().unwrap().forced_offline.contains(&taken));
    let restore = reports.iter().find(|r| r.from == "restore").unwrap();
    assert!(
        restore
            .note
            .contains("left ml-node-1:9090 in /Common/embed as an operator set them"),
        "{}",
        restore.note
    );
}

#[test]
fn draining_the_last_enabled_members_of_a_pool_is_refused() {
    let member = |name: &str, node: &str, state| MemberStatus {
        name: name.into(),
        node: Some(node.into()),
        state,
    };
    let pools = [PoolMembers {
        pool: "/Common/mlPool".into(),
        members: vec![
            member("a:80", "ml-node-1", MemberState::Enabled),
            member("b:80", "ml-node-1", MemberState::Enabled),
            member("c:80", "ml-node-2", MemberState::ForcedOffline),
        ],
    }];
    let refused = plan_drain("ml-node-1", &pools).unwrap_err();
    assert_eq!(refused.pool, "/Common/mlPool");
    assert_eq!(refused.members, ["a:80", "b:80"]);
    assert!(
        refused.to_string().contains("no enabled member"),
        "{refused}"
    );
    // With one enabled member elsewhere, both may go.
    let mut pools = pools;
    pools[0].members[2].state = MemberState::Enabled;
    assert_eq!(plan_drain("ml-node-1", &pools).unwrap().len(), 2);
}

#[tokio::test]
async fn a_refused_drain_ends_the_rollout_without_touching_anything() {
    let world = world();
    world
        .lock()
        .unwrap()
        .members
        .get_mut(&("/Common/embed".into(), "ml-node-2:9090".into()))
        .unwrap()
        .1 = false;
    let mut rollout = rollout();
    let reports = cycle(&mut rollout, &world, tick(0, true)).await;
    let Progress::Done(Err(why)) = &reports.last().unwrap().progress else {
        panic!("expected a failure: {reports:?}");
    };
    assert!(why.reason.contains("/Common/embed"), "{why}");
    assert!(enabled(&world, "ml-node-1:8080"));
    assert!(world.lock().unwrap().applied.is_empty());
}

#[tokio::test]
async fn busy_gpus_past_the_timeout_restore_service() {
    let world = world();
    let mut rollout = rollout();
    cycle(&mut rollout, &world, tick(0, false)).await;
    assert!(!enabled(&world, "ml-node-1:8080"));
    let reports = cycle(&mut rollout, &world, tick(60_000, false)).await;
    let Progress::Done(Err(why)) = &reports.last().unwrap().progress else {
        panic!("expected a failure: {reports:?}");
    };
    assert!(why.reason.contains("still busy"), "{why}");
    assert!(enabled(&world, "ml-node-1:8080") && enabled(&world, "ml-node-1:9090"));
    assert!(world.lock().unwrap().applied.is_empty());
}

#[tokio::test]
async fn a_failed_apply_or_reconfiguration_restores_service() {
    for fail_apply in [true, false] {
        let world = world();
        world.lock().unwrap().fail_apply = fail_apply;
        let mut rollout = rollout();
        cycle(&mut rollout, &world, tick(0, true)).await;
        if !fail_apply {
            assert_eq!(rollout.phase_name(), "confirm");
            world.lock().unwrap().status = Some(ApplyStatus::Failed("state=failed".into()));
            cycle(&mut rollout, &world, tick(1_000, true)).await;
        }
        let Phase::Done { failure: Some(why) } = &rollout.phase else {
            panic!("expected a failure: {:?}", rollout.phase);
        };
        let expected = if fail_apply {
            "mig manager unreachable"
        } else {
            "state=failed"
        };
        assert!(why.contains(expected), "{why}");
        assert!(enabled(&world, "ml-node-1:8080") && enabled(&world, "ml-node-1:9090"));
    }
}

#[tokio::test]
async fn an_unconfirmed_layout_times_out_and_restores_service() {
    let world = world();
    let mut rollout = rollout();
    cycle(&mut rollout, &world, tick(0, true)).await;
    assert_eq!(rollout.phase_name(), "confirm");
    cycle(&mut rollout, &world, tick(119_999, true)).await;
    assert_eq!(rollout.phase_name(), "confirm");
    cycle(&mut rollout, &world, tick(120_000, true)).await;
    let Phase::Done { failure: Some(why) } = &rollout.phase else {
        panic!("expected a failure: {:?}", rollout.phase);
    };
    assert!(why.contains("layout is unknown"), "{why}");
    assert!(enabled(&world, "ml-node-1:8080"));
}

#[tokio::test]
async fn restoring_is_retried_every_cycle_until_it_succeeds() {
    let world = world();
    let mut rollout = rollout();
    cycle(&mut rollout, &world, tick(0, true)).await;
    world.lock().unwrap().status = Some(ApplyStatus::Success);
    world.lock().unwrap().fail_enable = 2;
    let reports = cycle(&mut rollout, &world, tick(1_000, true)).await;
    assert_eq!(reports.last().unwrap().progress, Progress::Wait);
    assert_eq!(rollout.phase_name(), "restore");
    cycle(&mut rollout, &world, tick(2_000, true)).await;
    assert_eq!(rollout.phase_name(), "restore");
    let reports = cycle(&mut rollout, &world, tick(3_000, true)).await;
    assert_eq!(reports.last().unwrap().progress, Progress::Done(Ok(())));
    assert!(enabled(&world, "ml-node-1:8080") && enabled(&world, "ml-node-1:9090"));
}

/// Run the scenario one step at a time; before step `kill_at`, "kill the host":
/// reload the rollout from its persisted JSON, and when `inside` is set also
/// run that step on a copy whose new state is lost (the side effects stay).
async fn run_with_kill(kill_at: usize, inside: bool) -> (Shared, Rollout, Vec<&'static str>) {
    let world = world();
    let mut persisted = serde_json::to_string(&rollout()).unwrap();
    let mut phases = Vec::new();
    let mut t = 0;
    for step in 0..40 {
        let mut current: Rollout = serde_json::from_str(&persisted).unwrap();
        if current.is_done() {
            return (world, current, phases);
        }
        let now = observe(&world, t);
        if step == kill_at && inside {
            let mut lost = current.clone();
            lost.step(
                now,
                &mut FakeDrain(world.clone()),
                &FakeExecutor(world.clone()),
            )
            .await;
        }
        let report = current
            .step(
                now,
                &mut FakeDrain(world.clone()),
                &FakeExecutor(world.clone()),
            )
            .await;
        phases.push(report.from);
        persisted = serde_json::to_string(&current).unwrap();
        if report.progress == Progress::Wait {
            t += 10_000;
        }
    }
    panic!("the rollout did not finish: {persisted}");
}

#[tokio::test]
async fn a_host_killed_at_any_step_resumes_where_it_stopped() {
    let (_, _, clean) = run_with_kill(usize::MAX, false).await;
    assert_eq!(clean.first(), Some(&"plan"));
    assert!(clean.contains(&"confirm") && clean.last() == Some(&"restore"));
    for kill_at in 0..clean.len() {
        for inside in [false, true] {
            let (world, rollout, phases) = run_with_kill(kill_at, inside).await;
            assert_eq!(
                rollout.phase,
                Phase::Done { failure: None },
                "killed before step {kill_at} (inside: {inside}): {phases:?}"
            );
            for member in ["ml-node-1:8080", "ml-node-1:9090", "ml-node-2:8080"] {
                assert!(enabled(&world, member), "{member} after kill at {kill_at}");
            }
            assert!(!enabled(&world, "ml-node-3:8080"));
            let applied = world.lock().unwrap().applied.clone();
            assert!(
                !applied.is_empty() && applied.iter().all(|a| a == "2×3g.40gb"),
                "{applied:?}"
            );
        }
    }
}

#[test]
fn the_persisted_form_names_the_phase() {
    let mut rollout = rollout();
    rollout.phase = Phase::Confirm {
        members: vec![MemberId {
            pool: "/Common/mlPool".into(),
            member: "ml-node-1:8080".into(),
        }],
        deadline_ms: 5,
    };
    let json = serde_json::to_value(&rollout).unwrap();
    assert_eq!(json["phase"]["phase"], "confirm");
    assert_eq!(json["phase"]["deadline_ms"], 5);
    assert_eq!(serde_json::from_value::<Rollout>(json).unwrap(), rollout);
}
