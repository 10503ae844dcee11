//! Replicated `host run` on a three-member etcd, one world shared through
//! the simulators: a leader killed with SIGKILL while it applies, paused
//! past its lease, or cut off by stopping a majority of etcd. A standby
//! takes over within a lease TTL and a cycle; no write reaches a backend
//! twice (the simulators' logs), the cool-down of a resize made just before
//! the failover holds on the new leader, and a leader that cannot confirm
//! its lead applies nothing until it can. Each test prints what it measured.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::common::{alone, audit, host_ok};
use crate::ha_world::{
    COOLDOWN, Host, INTERVAL, SEEDED_SIZE, TTL, World, assert_strictly_increasing, leader,
};

/// Wait up to `limit` for `done`, checking every 10 ms.
async fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) -> Instant {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Instant::now()
}

/// The group's target size, read from the GCE simulator.
async fn group_size(world: &World) -> u64 {
    let url = format!(
        "{}projects/demo-project/zones/us-central1-a/instanceGroupManagers/{}",
        world.gce.api_root(),
        fulcrum_gce::sim::GROUP
    );
    let (_, text) = get(&url).await;
    let group: serde_json::Value = serde_json::from_str(&text).unwrap();
    group["targetSize"].as_u64().unwrap()
}

/// `GET url`: the status code and the body.
async fn get(url: &str) -> (u16, String) {
    fulcrum_host::tls::install_crypto_provider();
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The ratios replica `host` recorded as applied, with no error.
fn audited_ratios(host: &Host) -> Vec<u64> {
    let records = audit(host.config.to_str().unwrap());
    for record in &records {
        if record["outcome"] == "completed" {
            assert_eq!(record["replica"], host.name.as_str(), "{record}");
        }
    }
    records
        .iter()
        .filter(|r| r["outcome"] == "completed")
        .flat_map(|r| r["applied"].as_array().cloned().unwrap_or_default())
        .filter(|applied| applied["error"].is_null())
        .map(|applied| applied["change"]["change"].clone())
        .filter(|change| change["kind"] == "member-ratio")
        .filter_map(|change| change["to"].as_u64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn a_leader_killed_while_applying_is_replaced_and_nothing_is_applied_twice() {
    let _alone = alone();
    let world = World::start().await;
    let mut hosts = vec![world.replica("a"), world.replica("b"), world.replica("c")];
    let first = leader(&hosts.iter().collect::<Vec<_>>(), Duration::from_secs(60)).await;

    // Kill the leader the moment its second resize reaches GCE: it is
    // waiting for the Compute operation, in the middle of applying.
    let resizes = || world.gce.stats().resizes;
    wait_until(Duration::from_secs(30), "a first resize", || resizes() >= 1).await;
    let resized = wait_until(COOLDOWN * 2, "a second resize", || resizes() >= 2).await;
    let first = hosts.iter().position(Host::leads).unwrap_or(first);
    hosts[first].kill();
    let killed = Instant::now();
    hosts[first].repair_store();
    let killed_name = hosts[first].name.clone();

    let standbys: Vec<&Host> = hosts.iter().filter(|h| h.name != killed_name).collect();
    let took_over = wait_until(TTL * 3, "a standby taking over", || {
        standbys.iter().any(|h| h.leads())
    })
    .await;
    let takeover = took_over - killed;
    eprintln!(
        "takeover after kill -9 of the leader: {} ms",
        takeover.as_millis()
    );
    assert!(
        takeover <= TTL + INTERVAL + Duration::from_millis(1500),
        "took over after {takeover:?}"
    );

    // Who leads, and who stands by, as an operator sees it.
    let new_leader = standbys.iter().find(|h| h.leads()).unwrap();
    let standby = standbys.iter().find(|h| !h.leads()).unwrap();
    let status = host_ok(&["status", "--config", new_leader.config.to_str().unwrap()]);
    let status = String::from_utf8(status.stdout).unwrap();
    assert!(
        status.contains(&format!("leader  {} (term ", new_leader.name)),
        "{status}"
    );
    assert!(
        status.contains(&format!("standby {} ", standby.name)),
        "{status}"
    );
    assert!(!status.contains(&format!(" {killed_name} (")), "{status}");
    let (code, body) = get(&format!("{}/healthz", standby.metrics_base())).await;
    assert_eq!(
        (code, body.starts_with("ok: standby")),
        (200, true),
        "{body}"
    );
    let (_, metrics) = get(&format!("{}/metrics", new_leader.metrics_base())).await;
    for line in ["fulcrum_leader 1", "fulcrum_leader_takeovers_total 1"] {
        assert!(metrics.contains(line), "{line} not in\n{metrics}");
    }
    let (_, metrics) = get(&format!("{}/metrics", standby.metrics_base())).await;
    assert!(metrics.contains("fulcrum_leader 0"), "{metrics}");

    // The next resize waits out the cool-down of the one made just before
    // the kill, though a new leader makes it.
    let next = wait_until(COOLDOWN * 3, "a resize by the new leader", || {
        resizes() >= 3
    })
    .await;
    let gap = next - resized;
    eprintln!(
        "resize {} ms after the one before the kill (cool-down {} ms)",
        gap.as_millis(),
        COOLDOWN.as_millis()
    );
    assert!(
        gap + Duration::from_millis(300) >= COOLDOWN,
        "cool-down broken: {gap:?}"
    );

    // Every resize reached GCE once: each was one step, and the group grew
    // by as many steps as there were resize calls.
    tokio::time::sleep(INTERVAL * 3).await;
    let size = group_size(&world).await;
    assert_eq!(world.gce.stats().resizes, size - SEEDED_SIZE, "size {size}");

    // Every ratio reached the BIG-IP once, in order, across the failover,
    // and every ratio a replica recorded as applied is there.
    let applied = world.applied_ratios();
    assert_strictly_increasing(&applied, "the applied ratios");
    let written: BTreeSet<u64> = applied.iter().copied().collect();
    let mut audited = BTreeSet::new();
    for host in &hosts {
        for ratio in audited_ratios(host) {
            assert!(
                written.contains(&ratio),
                "ratio {ratio} audited, never applied: {applied:?}"
            );
            assert!(audited.insert(ratio), "ratio {ratio} audited twice");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn a_leader_paused_past_its_lease_applies_nothing_when_resumed_and_steps_down() {
    let _alone = alone();
    let world = World::start().await;
    let hosts = [world.replica("a"), world.replica("b")];
    let first = leader(&hosts.iter().collect::<Vec<_>>(), Duration::from_secs(60)).await;
    let (old, new) = (&hosts[first], &hosts[1 - first]);
    wait_until(Duration::from_secs(10), "a few ratios", || {
        world.applied_ratios().len() >= 3
    })
    .await;

    let paused = Instant::now();
    old.pause();
    let took_over = new
        .wait_for(paused, &format!("replica {}: leading", new.name), TTL * 3)
        .await;
    eprintln!(
        "takeover after SIGSTOP of the leader: {} ms",
        (took_over - paused).as_millis()
    );
    tokio::time::sleep(TTL).await;

    let writes_at_resume = world.bigip.applied_writes().len();
    let resumed = Instant::now();
    old.resume();
    let stepped_down = old
        .wait_for(
            resumed,
            &format!("replica {}: standby, {} leads", old.name, new.name),
            TTL * 2,
        )
        .await;
    eprintln!(
        "the resumed leader stood by after {} ms",
        (stepped_down - resumed).as_millis()
    );
    tokio::time::sleep(TTL).await;

    // Everything written since the resume is the new leader's.
    let applied = world.applied_ratios();
    assert_strictly_increasing(&applied, "the applied ratios");
    let since: Vec<u64> = world.bigip.applied_writes()[writes_at_resume..]
        .iter()
        .filter_map(|write| write.body.get("ratio")?.as_u64())
        .collect();
    assert!(!since.is_empty(), "the new leader applies on");
    // The cycle that wrote the last of them may still be recording it.
    let mut by_new = BTreeSet::new();
    let recorded = Instant::now() + INTERVAL * 10;
    while !since.iter().all(|ratio| by_new.contains(ratio)) && Instant::now() < recorded {
        by_new = audited_ratios(new).into_iter().collect();
        tokio::time::sleep(INTERVAL).await;
    }
    for ratio in since {
        assert!(
            by_new.contains(&ratio),
            "ratio {ratio} applied after the resume, not by {}: {applied:?}",
            new.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn with_a_majority_of_etcd_stopped_nothing_is_applied_until_it_returns() {
    let _alone = alone();
    let world = World::start().await;
    let hosts = [world.replica("a"), world.replica("b")];
    let first = leader(&hosts.iter().collect::<Vec<_>>(), Duration::from_secs(60)).await;
    let old = &hosts[first];
    wait_until(Duration::from_secs(10), "a few ratios", || {
        world.applied_ratios().len() >= 3
    })
    .await;

    let stopped = Instant::now();
    crate::etcd_cluster::signal(world.etcd.pid(1), "STOP");
    crate::etcd_cluster::signal(world.etcd.pid(2), "STOP");
    let failed_static = old
        .wait_for(
            stopped,
            &format!("replica {}: applying nothing, failing static: ", old.name),
            TTL * 2,
        )
        .await;
    eprintln!(
        "the leader stopped applying {} ms after etcd lost its majority",
        (failed_static - stopped).as_millis()
    );
    // A cycle past its confirmation when etcd went may still be finishing.
    tokio::time::sleep(INTERVAL * 2).await;
    let writes = world.bigip.applied_writes().len();
    tokio::time::sleep(TTL * 2).await;
    assert_eq!(
        world.bigip.applied_writes().len(),
        writes,
        "applied with etcd down"
    );

    let back = Instant::now();
    crate::etcd_cluster::signal(world.etcd.pid(1), "CONT");
    crate::etcd_cluster::signal(world.etcd.pid(2), "CONT");
    wait_until(TTL * 5, "applying again", || {
        world.bigip.applied_writes().len() > writes
    })
    .await;
    eprintln!(
        "applying again {} ms after etcd returned",
        back.elapsed().as_millis()
    );
    assert_strictly_increasing(&world.applied_ratios(), "the applied ratios");
}
