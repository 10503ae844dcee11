//! Topology, actuator and source cycles against the simulator, with and without faults. Every
//! test is bounded by the simulator's request counters and a fixed number of cycles.

use fulcrum_bigip::actuator::ApplyError;
use fulcrum_bigip::sim::{Burst, Faults, SimOptions};
use fulcrum_bigip::source::{Availability, observe};
use fulcrum_bigip::topology::Outcome;
use fulcrum_bigip::{
    Actuator, AuthMode, Baseline, Client, ClientConfig, Credentials, FullPath, MemberChange,
    MemberState, PoolChangeSet, PoolResult, RetryPolicy, Topology,
};

use crate::sim_and_client;

fn drain_and_weigh() -> Vec<PoolChangeSet> {
    vec![PoolChangeSet {
        pool: "mlPool".into(),
        members: vec![
            MemberChange {
                member: "ml-node-1:80".into(),
                ratio: Some(5),
                ..Default::default()
            },
            MemberChange {
                member: "ml-node-2:80".into(),
                state: Some(MemberState::ForcedOffline),
                ..Default::default()
            },
            MemberChange {
                member: "/Common/ml-node-3:80".into(),
                connection_limit: Some(50),
                state: Some(MemberState::Disabled),
                ..Default::default()
            },
        ],
    }]
}

/// Whether the pool holds the whole change set (`Some(true)`), none of it (`Some(false)`), or a mix (`None`).
async fn applied(client: &fulcrum_bigip::Client) -> Option<bool> {
    let members = client
        .pool_members(&FullPath::parse("mlPool"))
        .await
        .expect("members read");
    let flags = [
        members[0].ratio == 5,
        members[1].state == "user-down",
        members[2].connection_limit == 50 && members[2].session == "user-disabled",
    ];
    if flags.iter().all(|f| *f) {
        Some(true)
    } else if flags.iter().all(|f| !*f) {
        Some(false)
    } else {
        None
    }
}

#[tokio::test]
async fn seed_topology_is_equal_and_an_empty_box_gets_created() {
    let (running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    let report = Topology::seed().ensure(&client).await.unwrap();
    assert!(
        report.objects.iter().all(|o| o.outcome == Outcome::Equal),
        "{report:?}"
    );
    assert_eq!(running.counters().writes, 0);

    let (empty, client) = sim_and_client(
        SimOptions {
            topology: None,
            ..SimOptions::default()
        },
        AuthMode::Basic,
    )
    .await;
    let report = Topology::seed().ensure(&client).await.unwrap();
    assert_eq!(report.created().count(), 3 + 1 + 3 + 1, "{report:?}");
    let again = Topology::seed().ensure(&client).await.unwrap();
    assert_eq!(
        again.created().count() + again.differing().count(),
        0,
        "{again:?}"
    );
    drop(empty);
}

#[tokio::test]
async fn a_differing_pool_is_reported_not_overwritten() {
    let (_running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    let mut topology = Topology::seed();
    topology.pools[0].load_balancing_mode = fulcrum_bigip::topology::LoadBalancingMode::RatioMember;
    let report = topology.ensure(&client).await.unwrap();
    let differing: Vec<_> = report.differing().collect();
    assert_eq!(differing.len(), 1);
    let Outcome::Differs(fields) = &differing[0].outcome else {
        unreachable!()
    };
    assert_eq!(
        (fields[0].field, fields[0].actual.as_str()),
        ("loadBalancingMode", "round-robin")
    );
    let pool = client
        .pool(&FullPath::parse("mlPool"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pool.load_balancing_mode, "round-robin");
}

#[tokio::test]
async fn a_change_set_is_one_transaction_and_a_repeat_sends_no_write() {
    let (running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    let actuator = Actuator::new(client.clone());
    running.reset_counters();
    let outcomes = actuator.apply(&drain_and_weigh()).await;
    assert!(
        matches!(
            outcomes[0].result,
            PoolResult::Applied { members_changed: 3 }
        ),
        "{outcomes:?}"
    );
    let counters = running.counters();
    assert_eq!(counters.transactions, 1);
    assert_eq!(
        counters.writes,
        1 + 3 + 1,
        "create, three queued PATCHes, commit"
    );
    assert_eq!(applied(&client).await, Some(true));

    running.reset_counters();
    let outcomes = actuator.apply(&drain_and_weigh()).await;
    assert!(
        matches!(outcomes[0].result, PoolResult::Unchanged),
        "{outcomes:?}"
    );
    assert_eq!(running.counters().writes, 0);
}

#[tokio::test]
async fn device_errors_surface_their_code_and_message() {
    let (_running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    let missing = vec![PoolChangeSet {
        pool: "noSuchPool".into(),
        members: vec![],
    }];
    let outcome = Actuator::new(client.clone()).apply(&missing).await;
    let PoolResult::Failed(ApplyError::Device { source, .. }) = &outcome[0].result else {
        panic!("{outcome:?}")
    };
    assert_eq!(source.status(), Some(404));
    assert_eq!(
        source.device_message(),
        Some("01020036:3: The requested Pool (/Common/noSuchPool) was not found.")
    );

    let bad = client
        .patch_pool_member(
            &FullPath::parse("mlPool"),
            &FullPath::parse("ml-node-1:80"),
            &serde_json::json!({"state": "up"}),
        )
        .await
        .unwrap_err();
    assert_eq!(
        bad.device_message(),
        Some("invalid property value \"state\":\"up\"")
    );
    let text = bad.to_string();
    assert!(
        text.contains("/mgmt/tm/ltm/pool/~Common~mlPool/members/~Common~ml-node-1:80")
            && text.contains("400"),
        "{text}"
    );
}

#[tokio::test]
async fn the_source_reads_state_ratio_and_connections() {
    let (running, client) = sim_and_client(SimOptions::default(), AuthMode::Basic).await;
    running
        .set_member_load("mlPool", "ml-node-1:80", None, Some(17))
        .unwrap();
    running
        .set_member_load("mlPool", "ml-node-3:80", Some(false), None)
        .unwrap();
    Actuator::new(client.clone())
        .apply(&drain_and_weigh())
        .await;
    let observed = observe(&client, &[FullPath::parse("mlPool")])
        .await
        .unwrap();
    let members = &observed[0].members;
    assert_eq!(
        (
            members[0].current_connections,
            members[0].ratio,
            members[0].address.as_str()
        ),
        (17, 5, "127.0.1.1")
    );
    assert_eq!(members[0].availability, Availability::Available);
    assert_eq!(
        (members[1].admin_state, members[1].availability),
        (MemberState::ForcedOffline, Availability::Offline)
    );
    assert_eq!(
        (
            members[2].admin_state,
            members[2].enabled,
            members[2].connection_limit
        ),
        (MemberState::Disabled, false, 50)
    );
    assert_eq!(members[2].availability, Availability::Offline);
}

/// Runs a cycle with `faults`, queueing `concurrency` commands at once, checks it applied all
/// or nothing, then a clean cycle converges.
async fn all_or_nothing_then_converges(faults: Faults, concurrency: usize) {
    let (running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    client.version().await.unwrap();
    running.set_faults(faults.clone());
    let actuator = Actuator::new(client.clone()).with_transaction_concurrency(concurrency);
    let first = actuator.apply(&drain_and_weigh()).await;
    running.set_faults(Faults::default());
    let state = applied(&client).await;
    assert!(
        state.is_some(),
        "{faults:?}: pool half-changed after {first:?}"
    );
    let second = actuator.apply(&drain_and_weigh()).await;
    assert!(
        matches!(
            second[0].result,
            PoolResult::Applied { .. } | PoolResult::Unchanged
        ),
        "{second:?}"
    );
    assert_eq!(
        applied(&client).await,
        Some(true),
        "{faults:?}: did not converge"
    );
    assert!(running.counters().requests < 40, "{:?}", running.counters());
}

#[tokio::test]
async fn faults_never_half_change_a_pool() {
    let burst = |after, count| Burst { after, count };
    // One command at a time, and the whole change set's commands at once.
    for concurrency in [1, 3] {
        for after in 0..6 {
            for count in [1, 5] {
                for faults in [
                    Faults {
                        mcpd_lost: burst(after, count),
                        ..Faults::default()
                    },
                    Faults {
                        unavailable: burst(after, count),
                        ..Faults::default()
                    },
                    Faults {
                        dropped_connections: burst(after, count),
                        ..Faults::default()
                    },
                    Faults {
                        token_expiry: burst(after, count),
                        ..Faults::default()
                    },
                ] {
                    all_or_nothing_then_converges(faults, concurrency).await;
                }
            }
        }
        let slow = Faults {
            latency_ms: 20,
            ..Faults::default()
        };
        all_or_nothing_then_converges(slow, concurrency).await;
    }
}

#[tokio::test]
async fn an_expired_token_is_replaced_mid_cycle() {
    let (running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    client.version().await.unwrap();
    running.set_faults(Faults {
        token_expiry: Burst { after: 2, count: 1 },
        ..Faults::default()
    });
    let outcomes = Actuator::new(client.clone())
        .apply(&drain_and_weigh())
        .await;
    assert!(
        matches!(outcomes[0].result, PoolResult::Applied { .. }),
        "{outcomes:?}"
    );
    assert_eq!(running.counters().logins, 2);
    client.extend_token(36000).await.unwrap();
}

#[tokio::test]
async fn a_caller_baseline_writes_what_it_names_without_reading_the_pool() {
    let (running, client) = sim_and_client(SimOptions::default(), AuthMode::token()).await;
    client.version().await.unwrap();
    running.reset_counters();
    let outcomes = Actuator::new(client.clone())
        .with_baseline(Baseline::Caller)
        .apply(&drain_and_weigh())
        .await;
    assert!(
        matches!(
            outcomes[0].result,
            PoolResult::Applied { members_changed: 3 }
        ),
        "{outcomes:?}"
    );
    let counters = running.counters();
    assert_eq!(counters.reads, 0, "{counters:?}");
    assert_eq!(counters.transactions, 1, "{counters:?}");
    assert_eq!(applied(&client).await, Some(true));

    // A member gone from the pool fails the whole transaction.
    let mut stale = drain_and_weigh();
    stale[0].members[0].ratio = Some(9);
    stale[0].members.push(MemberChange {
        member: "ml-node-9:80".into(),
        ratio: Some(2),
        ..Default::default()
    });
    let outcomes = Actuator::new(client.clone())
        .with_baseline(Baseline::Caller)
        .apply(&stale)
        .await;
    assert!(
        matches!(outcomes[0].result, PoolResult::Failed(_)),
        "{outcomes:?}"
    );
    let members = client
        .pool_members(&FullPath::parse("mlPool"))
        .await
        .unwrap();
    assert_eq!(
        members[0].ratio, 5,
        "nothing of the failed change set applied"
    );
}

#[tokio::test]
async fn an_unreachable_box_is_named_once_with_the_reason() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port();
    let url = format!("https://127.0.0.1:{port}");
    let client = Client::new(ClientConfig {
        auth: AuthMode::Basic,
        retry: RetryPolicy {
            attempts: 2,
            initial_backoff_ms: 1,
            max_backoff_ms: 2,
        },
        ..ClientConfig::new(url.clone(), Credentials::new("admin", "admin"))
    })
    .expect("client builds");
    let error = client
        .pool_members(&FullPath::parse("mlPool"))
        .await
        .unwrap_err();
    let text = error.to_string();
    assert_eq!(text.matches(&url).count(), 1, "{text}");
    assert!(
        text.contains("no answer from the BIG-IP after 2 tries: error sending request"),
        "{text}"
    );
    let mut causes = Vec::new();
    let mut cause = std::error::Error::source(&error);
    while let Some(next) = cause {
        causes.push(next.to_string());
        cause = next.source();
    }
    assert!(
        causes
            .iter()
            .any(|cause| cause.contains("Connection refused")),
        "{causes:?}"
    );
    assert!(
        causes.iter().all(|cause| !cause.contains(&url)),
        "{causes:?}"
    );
}
