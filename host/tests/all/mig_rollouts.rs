//! Rollouts started from planned changes, one per node, driven against an
//! in-memory load balancer and the simulated fleet's node agent, saved,
//! dropped and restored mid-sequence.

use std::collections::BTreeMap;
use std::convert::Infallible;

use fulcrum_host::actuators::mig::drain::{Drain, MemberId, MemberStatus, PoolMembers};
use fulcrum_host::actuators::mig::request::MigRequest;
use fulcrum_host::actuators::mig::rollouts::{
    MigEvent, MigRollouts, RolloutSettings, SavedRollouts, gpus_idle,
};
use fulcrum_host::model::{
    GpuSample, Health, MemberState, MigSample, NodeSample, Snapshot, SnapshotBuilder,
};
use fulcrum_host::plan::{Change, PlannedChange};
use fulcrum_host::sim::{GpuKind, MigAgent};

const H100: &str = "NVIDIA H100 80GB HBM3";

/// Members of one pool: name → (node, enabled).
#[derive(Default)]
struct Pool(BTreeMap<String, (String, bool)>);

/// A member the pool does not have.
#[derive(Debug, thiserror::Error)]
#[error("{0}: no such member")]
struct NoSuchMember(MemberId);

impl Drain for Pool {
    type Error = NoSuchMember;

    async fn pools(&mut self, node: &str) -> Result<Vec<PoolMembers>, NoSuchMember> {
        let members = self
            .0
            .iter()
            .map(|(name, (on, enabled))| MemberStatus {
                name: name.clone(),
                node: Some(on.clone()),
                state: if *enabled {
                    MemberState::Enabled
                } else {
                    MemberState::Disabled
                },
            })
            .collect::<Vec<_>>();
        Ok(if members.iter().any(|m| m.node.as_deref() == Some(node)) {
            vec![PoolMembers {
                pool: "/Common/mlPool".into(),
                members,
            }]
        } else {
            vec![]
        })
    }

    async fn set_enabled(&mut self, member: &MemberId, enabled: bool) -> Result<(), NoSuchMember> {
        let entry = self
            .0
            .get_mut(&member.member)
            .ok_or_else(|| NoSuchMember(member.clone()))?;
        entry.1 = enabled;
        Ok(())
    }
}

fn pool() -> Pool {
    Pool(
        [("ml-node-1:80", "ml-node-1"), ("ml-node-2:80", "ml-node-2")]
            .into_iter()
            .map(|(m, n)| (m.to_owned(), (n.to_owned(), true)))
            .collect(),
    )
}

fn agent() -> MigAgent {
    let agent = MigAgent::new([("ml-node-1", GpuKind::H100Sxm80, 2)]);
    agent.set_reconfigure_steps(0);
    agent
}

/// ml-node-1 with two H100s in MIG mode (one 7g instance each) at `activity`.
fn snapshot(activity: f32, stale: bool) -> Snapshot {
    let instance = [MigSample {
        profile: "7g.80gb",
        instance_id: 1,
        placement_start: 0,
        placement_size: 8,
        utilization: activity,
        memory_used_mib: 0.0,
        memory_total_mib: 81559.0,
    }];
    let gpu = |index| GpuSample {
        index,
        uuid: "GPU-x",
        model: H100,
        utilization: f32::NAN,
        tensor_activity: f32::NAN,
        memory_used_mib: 0.0,
        memory_total_mib: 81559.0,
        temperature_c: 40.0,
        power_w: 70.0,
        power_limit_w: 700.0,
        throttled: false,
        last_xid: 0,
        health: Health::Healthy,
        mig: Some(&instance),
    };
    let mut b = SnapshotBuilder::new();
    b.node(
        &NodeSample {
            name: "ml-node-1",
            address: "127.0.1.1",
            health: Health::Healthy,
            telemetry_age_ms: 0,
            stale,
            labels: &[],
        },
        &[gpu(0), gpu(1)],
    );
    b.build(1, 0)
}

fn planned(node: &str, gpus: &[u32], layout: &[(&str, u32)]) -> PlannedChange {
    PlannedChange {
        policy: "mig-resize".into(),
        reason: "demand".into(),
        change: Change::MigLayout {
            node: node.into(),
            gpus: gpus.to_vec(),
            profiles: layout.iter().map(|&(p, n)| (p.to_owned(), n)).collect(),
        },
    }
}

async fn no_store(_: SavedRollouts) -> Result<(), Infallible> {
    Ok(())
}

fn enabled(pool: &Pool, member: &str) -> bool {
    pool.0[member].1
}

#[tokio::test]
async fn one_rollout_per_node_and_the_rest_refused_with_a_reason() {
    let mut rollouts = MigRollouts::new(RolloutSettings::default());
    let (mut pool, agent) = (pool(), agent());
    let busy = snapshot(0.5, false);
    let events = rollouts
        .cycle(
            &busy,
            &[
                planned("ml-node-1", &[0], &[("1g.10gb", 7)]),
                planned("ml-node-1", &[1], &[("1g.10gb", 7)]),
                planned("ml-node-9", &[0], &[("1g.10gb", 7)]),
                planned("ml-node-1", &[0, 1], &[("1g.10gb", 8)]),
            ],
            0,
            &mut pool,
            &agent,
            no_store,
        )
        .await;
    let refused: Vec<String> = events
        .iter()
        .filter(|e| matches!(e, MigEvent::Refused { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(refused.len(), 3, "{events:#?}");
    assert!(
        refused[0].contains("ml-node-1 is mid-rollout"),
        "{}",
        refused[0]
    );
    assert!(
        refused[1].contains("ml-node-9 is not in the snapshot"),
        "{}",
        refused[1]
    );
    assert!(refused[2].contains("mid-rollout"), "{}", refused[2]);
    assert!(!enabled(&pool, "ml-node-1:80"), "drained at once");
    assert!(enabled(&pool, "ml-node-2:80"));
    let waiting: Vec<&str> = rollouts.in_progress().map(|r| r.phase_name()).collect();
    assert_eq!(waiting, vec!["wait_idle"], "the GPUs are still busy");
}

#[tokio::test]
async fn a_geometry_the_gpus_cannot_take_is_refused_before_anything_drains() {
    let mut rollouts = MigRollouts::new(RolloutSettings::default());
    let (mut pool, agent) = (pool(), agent());
    let events = rollouts
        .cycle(
            &snapshot(0.0, false),
            &[planned("ml-node-1", &[0, 7], &[("1g.10gb", 1)])],
            0,
            &mut pool,
            &agent,
            no_store,
        )
        .await;
    assert!(
        events[0].to_string().contains("ml-node-1 has no GPU 7"),
        "{events:?}"
    );
    assert!(enabled(&pool, "ml-node-1:80"));
}

#[tokio::test]
async fn a_rollout_saved_mid_sequence_resumes_after_a_restart_and_completes() {
    let settings = RolloutSettings::default();
    let mut rollouts = MigRollouts::new(settings);
    let (mut pool, agent) = (pool(), agent());
    let mut stored = String::new();
    let mut saves = 0;
    let events = rollouts
        .cycle(
            &snapshot(0.5, false),
            &[planned("ml-node-1", &[1], &[("1g.10gb", 7)])],
            1_000,
            &mut pool,
            &agent,
            async |saved: SavedRollouts| {
                saves += 1;
                stored = serde_json::to_string(&saved).map_err(|e| e.to_string())?;
                Ok::<(), String>(())
            },
        )
        .await;
    assert!(saves >= 2, "saved after every step: {events:#?}");
    drop(rollouts);

    let saved: SavedRollouts = serde_json::from_str(&stored).unwrap();
    let mut rollouts = MigRollouts::restore(settings, saved);
    assert_eq!(
        rollouts.in_progress().next().unwrap().phase_name(),
        "wait_idle"
    );
    assert!(!enabled(&pool, "ml-node-1:80"));
    let mut finished = None;
    for cycle in 0..10 {
        let events = rollouts
            .cycle(
                &snapshot(0.0, false),
                &[],
                2_000 + cycle,
                &mut pool,
                &agent,
                no_store,
            )
            .await;
        finished = events.into_iter().find_map(|e| match e {
            MigEvent::Finished { outcome, .. } => Some(outcome),
            _ => None,
        });
        if finished.is_some() {
            break;
        }
    }
    assert_eq!(finished, Some(Ok(())));
    assert!(enabled(&pool, "ml-node-1:80"), "restored");
    assert_eq!(rollouts.saved(), SavedRollouts::default());
    let gpu = agent.instances(0)[1].clone().unwrap();
    assert_eq!(gpu.len(), 7);
}

#[tokio::test]
async fn a_failing_store_stops_driving() {
    let mut rollouts = MigRollouts::new(RolloutSettings::default());
    let (mut pool, agent) = (pool(), agent());
    let events = rollouts
        .cycle(
            &snapshot(0.0, false),
            &[planned("ml-node-1", &[0], &[("3g.40gb", 2)])],
            0,
            &mut pool,
            &agent,
            async |_: SavedRollouts| Err("disk full"),
        )
        .await;
    assert!(
        matches!(events.last(), Some(MigEvent::PersistFailed { error, .. }) if error == "disk full"),
        "{events:#?}"
    );
    assert_eq!(rollouts.in_progress().count(), 1, "kept in memory");
}

#[test]
fn idle_means_every_gpu_and_instance_at_or_below_the_threshold_on_a_fresh_node() {
    let request = MigRequest {
        node: "ml-node-1".into(),
        gpus: vec![0, 1],
        model: H100.into(),
        profiles: BTreeMap::new(),
    };
    assert!(gpus_idle(&snapshot(0.01, false), &request, 0.05));
    assert!(!gpus_idle(&snapshot(0.2, false), &request, 0.05));
    assert!(!gpus_idle(&snapshot(f32::NAN, false), &request, 0.05));
    assert!(!gpus_idle(&snapshot(0.0, true), &request, 0.05), "stale");
    let elsewhere = MigRequest {
        node: "ml-node-2".into(),
        ..request
    };
    assert!(!gpus_idle(&snapshot(0.0, false), &elsewhere, 0.05));
}
