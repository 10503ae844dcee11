//! Applying a change to 1,000 members across 10 pools against the simulator: one transaction per
//! pool, its commands queued one at a time and eight at once, and a repeat of the same change
//! sends no write.

use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use fulcrum_bigip::sim::{self, SimOptions};
use fulcrum_bigip::topology::{LoadBalancingMode, NodeSpec, PoolSpec};
use fulcrum_bigip::{
    Actuator, Client, ClientConfig, Credentials, MemberChange, PoolChangeSet, PoolResult,
    TlsOptions, Topology,
};

const POOLS: u16 = 10;
const MEMBERS_PER_POOL: u16 = 100;

/// 10 pools, each with the same 100 nodes (127.0.1.1..100) on its own port.
fn large_topology() -> Topology {
    let nodes: Vec<NodeSpec> = (1..=MEMBERS_PER_POOL)
        .map(|n| NodeSpec {
            name: format!("ml-node-{n}"),
            address: format!("127.0.1.{n}"),
        })
        .collect();
    Topology {
        partition: "Common".into(),
        pools: (0..POOLS)
            .map(|p| PoolSpec {
                name: format!("gpuPool{p}"),
                monitors: vec!["http".into()],
                allow_snat: true,
                allow_nat: true,
                load_balancing_mode: LoadBalancingMode::RatioMember,
                member_port: 8000 + p,
                nodes: nodes.clone(),
            })
            .collect(),
        virtual_servers: vec![],
    }
}

fn change_sets(ratio: u32) -> Vec<PoolChangeSet> {
    (0..POOLS)
        .map(|p| PoolChangeSet {
            pool: format!("gpuPool{p}"),
            members: (1..=MEMBERS_PER_POOL)
                .map(|n| MemberChange {
                    member: format!("ml-node-{n}:{}", 8000 + p),
                    ratio: Some(ratio),
                    ..Default::default()
                })
                .collect(),
        })
        .collect()
}

fn apply(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let (running, actuator) = runtime.block_on(async {
        let running = sim::start(SimOptions {
            topology: Some(large_topology()),
            ..SimOptions::default()
        })
        .await
        .expect("simulator starts");
        let client = Client::new(ClientConfig {
            tls: TlsOptions::CustomCa {
                pem: running.ca_pem().to_owned(),
            },
            ..ClientConfig::new(running.base_url(), Credentials::new("admin", "admin"))
        })
        .expect("client builds");
        client.version().await.expect("simulator answers");
        (running, Actuator::new(client))
    });

    running.reset_counters();
    let started = Instant::now();
    let outcomes = runtime.block_on(actuator.apply(&change_sets(2)));
    let elapsed = started.elapsed();
    assert!(outcomes.iter().all(|o| matches!(
        o.result,
        PoolResult::Applied {
            members_changed: 100
        }
    )));
    let changed = running.counters();
    running.reset_counters();
    let outcomes = runtime.block_on(actuator.apply(&change_sets(2)));
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o.result, PoolResult::Unchanged))
    );
    let unchanged = running.counters();
    assert_eq!(unchanged.writes, 0, "a no-op cycle must send no write");
    println!(
        "1000 members / 10 pools: {elapsed:?}, {} requests ({} reads, {} writes), {} transactions; no-op cycle: {} requests, {} writes",
        changed.requests,
        changed.reads,
        changed.writes,
        changed.transactions,
        unchanged.requests,
        unchanged.writes
    );

    let mut ratio = 2;
    let mut group = c.benchmark_group("bigip");
    group.sample_size(10);
    group.bench_function("apply_1000_members_10_pools", |b| {
        b.iter(|| {
            ratio = if ratio == 2 { 3 } else { 2 };
            runtime.block_on(actuator.apply(&change_sets(ratio)))
        })
    });
    let concurrent = actuator.clone().with_transaction_concurrency(8);
    group.bench_function("apply_1000_members_10_pools_8_commands_at_once", |b| {
        b.iter(|| {
            ratio = if ratio == 2 { 3 } else { 2 };
            runtime.block_on(concurrent.apply(&change_sets(ratio)))
        })
    });
    group.bench_function("noop_cycle_1000_members", |b| {
        b.iter(|| runtime.block_on(actuator.apply(&change_sets(ratio))))
    });
    group.finish();
}

criterion_group!(benches, apply);
criterion_main!(benches);
