//! Election and fencing against a real etcd, in process: one replica leads
//! and its writes go through; once its lease is gone its writes are refused
//! by etcd, another replica takes the lead and reads what it left; a leader
//! whose etcd stops answering lets go of what it was applying when its lease
//! lapses, and leads again when etcd is back; a new leader takes over the
//! guard clocks and the MIG rollouts in progress; and what the fence costs
//! a cycle, measured on a three-member cluster.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fulcrum_host::actuators::mig::drain::MemberId;
use fulcrum_host::actuators::mig::request::MigRequest;
use fulcrum_host::actuators::mig::rollout::{Phase, Rollout, RolloutConfig};
use fulcrum_host::actuators::mig::rollouts::SavedRollouts;
use fulcrum_host::backends::Backends;
use fulcrum_host::config::RunConfig;
use fulcrum_host::engine::Engine;
use fulcrum_host::guard::GuardClocks;
use fulcrum_host::ha::{HaConfig, HaError, Replica, Role, SharedStore};
use fulcrum_host::observe::{Metrics, Observer};
use fulcrum_host::runtime::{EngineConfig, PolicyEngine};
use fulcrum_host::store::{
    AuditRecord, CycleOutcome, CycleState, Intent, STORE_FILE, StateBackend, StateError, Store,
};

use crate::etcd_cluster::{EtcdCluster, signal};

const TTL: Duration = Duration::from_secs(2);

fn config(endpoints: Vec<String>, replica: &str) -> HaConfig {
    HaConfig {
        endpoints,
        replica: replica.to_owned(),
        key_prefix: "/fulcrum-test/".to_owned(),
        lease_ttl: TTL,
        apply_margin: Duration::from_millis(500),
        request_timeout: Duration::from_millis(500),
        tls: None,
        auth: None,
    }
}

/// A replica with an engine that runs no policy, its state shared.
struct Side {
    replica: Replica,
    engine: Engine,
    state: Arc<SharedStore>,
    metrics: Metrics,
    _dir: tempfile::TempDir,
}

impl Side {
    async fn start(endpoints: Vec<String>, name: &str) -> Side {
        Side::with_config(endpoints, name, "").await
    }

    /// A replica whose engine runs `run` (a configuration file's text).
    async fn with_config(endpoints: Vec<String>, name: &str, run: &str) -> Side {
        let metrics = Metrics::new();
        let replica = Replica::start(&config(endpoints, name), Observer::new(metrics.clone()), 0)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let local = Store::open(&dir.path().join(STORE_FILE)).unwrap();
        let state = Arc::new(replica.shared_store(local));
        let runtime = PolicyEngine::new(&EngineConfig {
            cache_dir: None,
            max_instances: 2,
        })
        .unwrap();
        let run = RunConfig::parse(run, dir.path()).unwrap();
        let mut engine = Engine::new(
            runtime,
            &run,
            Backends::default(),
            metrics.clone(),
            None,
            None,
        )
        .unwrap();
        engine.replicate(state.clone(), replica.leadership());
        Side {
            replica,
            engine,
            state,
            metrics,
            _dir: dir,
        }
    }

    async fn turn(&mut self) -> Role {
        self.replica.turn(&mut self.engine, 0).await
    }

    fn write_intent(&self, cycle: u64) -> Result<(), StateError> {
        let intent = Intent {
            cycle,
            at_ms: cycle,
            inputs_digest: String::new(),
            planned: Vec::new(),
            replica: None,
        };
        let state = CycleState {
            policies: &[],
            clocks: None,
        };
        self.state.write_intent(&intent, &state)
    }
}

/// The raw client the test plays etcd's operator with.
async fn operator(endpoints: Vec<String>) -> etcd_client::Client {
    etcd_client::Client::connect(endpoints, None).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_leader_writes_and_a_lost_lease_fences_it_off() {
    let etcd = EtcdCluster::start(1).await;
    let mut a = Side::start(etcd.endpoints(), "a").await;
    let mut b = Side::start(etcd.endpoints(), "b").await;

    assert_eq!(a.turn().await, Role::Leader);
    assert_eq!(
        b.turn().await,
        Role::Standby {
            leader: "a".to_owned()
        }
    );
    let term_a = a.replica.leadership().term().unwrap();
    a.replica.leadership().confirm().await.unwrap();
    a.write_intent(7).unwrap();
    assert!(matches!(
        b.write_intent(8),
        Err(StateError::Shared {
            source: HaError::NotLeader
        })
    ));
    assert!(a.metrics.encode().contains("fulcrum_leader 1"));
    assert!(b.metrics.encode().contains("fulcrum_leader 0"));

    // Take the lease away from under the leader, as an expiry would.
    let mut etcd_client = operator(etcd.endpoints()).await;
    let held = etcd_client.get("/fulcrum-test/leader", None).await.unwrap();
    let lease = held.kvs()[0].lease();
    etcd_client.lease_revoke(lease).await.unwrap();

    // The old leader still thinks it leads: etcd refuses its write.
    assert_eq!(a.replica.leadership().term(), Some(term_a));
    let refused = a.write_intent(9).unwrap_err();
    assert!(
        matches!(&refused, StateError::Shared { source: HaError::Fenced { term, .. } } if *term == term_a),
        "{refused}"
    );
    assert_eq!(
        a.replica.leadership().term(),
        None,
        "a fenced write steps it down"
    );

    // The standby takes over and reads what the last leader left: the
    // intent of a cycle it did not finish, closed as interrupted.
    assert_eq!(b.turn().await, Role::Leader);
    let term_b = b.replica.leadership().term().unwrap();
    assert!(term_b > term_a);
    assert!(b.state.incomplete_intents().unwrap().is_empty());
    assert_eq!(b.state.next_cycle().unwrap(), 8);
    assert!(
        b.metrics
            .encode()
            .contains("fulcrum_leader_takeovers_total 1")
    );

    // The old leader finds its lease gone, takes a new one and stands by.
    let deadline = Instant::now() + TTL * 2;
    loop {
        match a.turn().await {
            Role::Standby { leader } if leader == "b" => break,
            other => assert!(Instant::now() < deadline, "a: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let confirmed = a.replica.leadership().confirm().await;
    assert!(
        matches!(confirmed, Err(HaError::NotLeader)),
        "{confirmed:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_leader_cut_off_from_etcd_stops_applying_when_its_lease_lapses_and_resumes_after() {
    let etcd = EtcdCluster::start(1).await;
    let mut a = Side::start(etcd.endpoints(), "a").await;
    assert_eq!(a.turn().await, Role::Leader);
    let term = a.replica.leadership().term().unwrap();

    signal(etcd.pid(0), "STOP");
    let started = Instant::now();
    let applying = a
        .replica
        .leadership()
        .while_leading(std::future::pending::<()>())
        .await;
    let held_on = started.elapsed();
    signal(etcd.pid(0), "CONT");
    assert!(matches!(applying, Err(HaError::Lapsed)), "{applying:?}");
    assert!(
        held_on <= TTL + Duration::from_millis(300),
        "let go {held_on:?} after etcd stopped"
    );
    assert_eq!(a.replica.leadership().term(), None);

    // etcd is back: the replica leads again (in the same term if etcd kept
    // its lease over the pause, else in a new one) and its writes go through.
    let deadline = Instant::now() + TTL * 3;
    loop {
        let role = a.turn().await;
        if role == Role::Leader {
            break;
        }
        assert!(Instant::now() < deadline, "a did not lead again: {role:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(a.replica.leadership().term().unwrap() >= term);
    a.replica.leadership().confirm().await.unwrap();
    a.write_intent(1).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_leader_takes_over_the_guard_clocks_and_a_mig_rollout_mid_drain() {
    let etcd = EtcdCluster::start(1).await;
    let mig =
        "[mig]\nexecutor = { kind = \"command\", apply = [\"true\"], config_dir = \"mig\" }\n";
    let mut a = Side::with_config(etcd.endpoints(), "a", mig).await;
    let mut b = Side::with_config(etcd.endpoints(), "b", mig).await;
    assert_eq!(a.turn().await, Role::Leader);
    assert!(matches!(b.turn().await, Role::Standby { .. }));

    // The leader drained a node and waits for its GPUs to go idle; it
    // scaled a group out a moment ago.
    let drained = MemberId {
        pool: "/Common/mlPool".to_owned(),
        member: "ml-node-2:80".to_owned(),
    };
    let rollout = Rollout {
        request: MigRequest {
            node: "ml-node-2".to_owned(),
            gpus: vec![0, 1],
            model: "NVIDIA A100-SXM4-40GB".to_owned(),
            profiles: BTreeMap::from([("3g.20gb".to_owned(), 2)]),
        },
        config: RolloutConfig::default(),
        phase: Phase::WaitIdle {
            members: vec![drained.clone()],
            deadline_ms: 600_000,
        },
    };
    let saved = SavedRollouts {
        rollouts: vec![rollout.clone()],
    };
    a.state.save_mig_rollouts(&saved).unwrap();
    let clocks: GuardClocks = serde_json::from_value(serde_json::json!({
        "groups": {"us-central1-a/tf": {
            "observed_since_ms": 1000, "recommendations": [],
            "last_scale_out_ms": 5000, "last_scale_in_ms": null}}
    }))
    .unwrap();
    let intent = Intent {
        cycle: 3,
        at_ms: 5000,
        inputs_digest: String::new(),
        planned: Vec::new(),
        replica: None,
    };
    let state = CycleState {
        policies: &[],
        clocks: Some(&clocks),
    };
    a.state.write_intent(&intent, &state).unwrap();

    // The leader dies; its lease goes; the standby takes over.
    a.replica.resign().await;
    assert_eq!(b.turn().await, Role::Leader);
    let resumed: Vec<&Rollout> = b.engine.mig_rollouts().unwrap().in_progress().collect();
    assert_eq!(resumed, [&rollout], "the drained node's rollout resumes");
    assert_eq!(b.state.load_clocks().unwrap(), clocks);
    assert_eq!(b.state.next_cycle().unwrap(), 4, "cycle 3 was closed");
}

/// The median and the 99th percentile of `samples`, in µs.
fn percentiles(mut samples: Vec<Duration>) -> (u128, u128) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize].as_micros();
    (at(0.5), at(0.99))
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_fence_costs_a_cycle() {
    let etcd = EtcdCluster::start(3).await;
    let mut a = Side::start(etcd.endpoints(), "a").await;
    assert_eq!(a.turn().await, Role::Leader);
    let leadership = a.replica.leadership();
    let mut confirms = Vec::new();
    for _ in 0..100 {
        confirms.push(leadership.confirm().await.unwrap());
    }

    // A cycle's two commits, in etcd under the fence and in a local store.
    let dir = tempfile::tempdir().unwrap();
    let local = Store::open(&dir.path().join(STORE_FILE)).unwrap();
    let stores: [(&str, &dyn StateBackend); 2] = [("etcd", &*a.state), ("redb", &local)];
    let mut commits = Vec::new();
    for (name, store) in stores {
        let mut took = Vec::new();
        for cycle in 100..150 {
            let started = Instant::now();
            let intent = Intent {
                cycle,
                at_ms: cycle,
                inputs_digest: String::new(),
                planned: Vec::new(),
                replica: None,
            };
            let state = CycleState {
                policies: &[],
                clocks: Some(&GuardClocks::default()),
            };
            store.write_intent(&intent, &state).unwrap();
            let record = AuditRecord {
                cycle,
                at_ms: cycle,
                inputs_digest: String::new(),
                outcome: CycleOutcome::Completed,
                policies: Vec::new(),
                rejections: Vec::new(),
                held_back: Vec::new(),
                planned: Vec::new(),
                applied: Vec::new(),
                errors: Vec::new(),
                shadows: Vec::new(),
                replica: None,
            };
            store.complete_cycle(&record, None, &state).unwrap();
            took.push(started.elapsed());
        }
        commits.push((name, percentiles(took)));
    }
    let (median, p99) = percentiles(confirms);
    eprintln!("confirming the lead (3 etcd members): median {median} µs, p99 {p99} µs");
    for (name, (median, p99)) in commits {
        eprintln!("a cycle's intent and completion in {name}: median {median} µs, p99 {p99} µs");
    }
    assert!(median < 50_000, "confirming took {median} µs");
}
