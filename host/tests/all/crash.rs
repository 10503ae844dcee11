//! `kill -9` of the host in the middle of applying, then a restart against
//! the same BIG-IP and state directory: no change applied twice, none lost,
//! the policy's state carried on, and the audit log whole and readable, while
//! the host runs as after.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

use fulcrum_bigip::sim::Faults;
use fulcrum_bigip::{Client, ClientConfig, Credentials, FullPath, TlsOptions};

use crate::common::{Running, SlowBox, audit, host_ok};

#[tokio::test(flavor = "multi_thread")]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn a_host_killed_while_applying_resumes_without_repeating_or_losing_changes() {
    let _alone = crate::common::alone();
    let slow = SlowBox::start().await;
    let (sim, config) = (&slow.sim, slow.config());

    // Run until the third cycle is printed, then kill -9 during the next.
    let mut first = Running::back_to_back(config, Stdio::null());
    let stdout = BufReader::new(first.0.stdout.take().unwrap());
    let mut lines = stdout.lines();
    let mut cycles_seen = 0;
    while cycles_seen < 3 {
        let line = lines.next().expect("the host prints cycles").unwrap();
        cycles_seen += usize::from(line.starts_with("cycle "));
    }
    // The audit log reads while the host runs.
    assert!(audit(config).len() >= 2);
    // And the host goes on to its next cycle.
    while !lines
        .next()
        .expect("the host runs on")
        .unwrap()
        .starts_with("cycle ")
    {}
    tokio::time::sleep(Duration::from_millis(60)).await;
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    drop(first);
    sim.set_faults(Faults::default());

    host_ok(&[
        "run",
        "--config",
        config,
        "--cycles",
        "3",
        "--interval",
        "0s",
    ]);

    let records = audit(config);
    let cycles: Vec<u64> = records
        .iter()
        .map(|r| r["cycle"].as_u64().unwrap())
        .collect();
    assert_eq!(
        cycles,
        (1..=cycles.len() as u64).collect::<Vec<_>>(),
        "one record per cycle, none missing or repeated"
    );
    assert!(cycles.len() >= 6, "{cycles:?}");
    let interrupted = records
        .iter()
        .filter(|r| r["outcome"] == "interrupted")
        .count();
    assert!(interrupted <= 1, "{records:?}");

    // The ratios applied, in order: the policy's count carries on across the
    // restart, so every applied ratio is new — none applied twice.
    let applied: Vec<u64> = records
        .iter()
        .filter(|r| r["outcome"] == "completed")
        .flat_map(|r| r["applied"].as_array().unwrap().clone())
        .filter(|a| a["error"].is_null())
        .map(|a| a["change"]["change"]["to"].as_u64().unwrap())
        .collect();
    assert!(
        applied.windows(2).all(|w| w[0] < w[1]),
        "each applied ratio exceeds the last: {applied:?}"
    );

    // None lost: the box holds what the last cycle applied.
    let client = Client::new(ClientConfig {
        tls: TlsOptions::CustomCa {
            pem: sim.ca_pem().to_owned(),
        },
        ..ClientConfig::new(sim.base_url(), Credentials::new("admin", "admin"))
    })
    .unwrap();
    let members = client
        .pool_members(&FullPath::parse("/Common/mlPool"))
        .await
        .unwrap();
    let ratios: Vec<u64> = members.iter().map(|m| u64::from(m.ratio)).collect();
    assert!(
        ratios.contains(applied.last().unwrap()),
        "the box holds the last applied ratio {:?}: {ratios:?}",
        applied.last()
    );
}
