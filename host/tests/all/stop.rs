//! Stopping `host run` with SIGTERM or SIGINT while a cycle is being applied:
//! the cycle finishes, is printed and recorded, and the host exits with
//! success; a second signal stops it at once, with 128 + the signal's number.

#![allow(unsafe_code, reason = "libc::kill sends the stop signals under test")]

use std::io::{BufRead, BufReader, Read};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Running, SlowBox, audit};

/// Starts `host run` on `config` back to back, waits for its first cycle,
/// lets the second get under way, then sends `signals` 20 ms apart. Returns
/// how it exited, the cycles it printed and its stderr.
fn run_and_signal(config: &str, signals: &[libc::c_int]) -> (ExitStatus, usize, String) {
    let mut running = Running::back_to_back(config, Stdio::piped());
    let mut lines = BufReader::new(running.0.stdout.take().unwrap()).lines();
    while !lines
        .next()
        .expect("the host prints its first cycle")
        .unwrap()
        .starts_with("cycle ")
    {}
    // Each answer takes 40 ms, so the second cycle is still collecting.
    std::thread::sleep(Duration::from_millis(60));
    let pid = libc::pid_t::try_from(running.0.id()).unwrap();
    for &signal in signals {
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        std::thread::sleep(Duration::from_millis(20));
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the host stops within 30 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    let printed = 1 + lines
        .map_while(Result::ok)
        .filter(|line| line.starts_with("cycle "))
        .count();
    let mut stderr = String::new();
    running
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status, printed, stderr)
}

#[tokio::test(flavor = "multi_thread")]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn sigterm_finishes_and_records_the_cycle_in_progress() {
    let _alone = crate::common::alone();
    let slow = SlowBox::start().await;
    let (status, printed, stderr) = run_and_signal(slow.config(), &[libc::SIGTERM]);
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains("SIGTERM: stopping once this cycle is applied and recorded"),
        "{stderr}"
    );
    assert!(
        stderr.contains("SIGTERM: stopped after cycle 2"),
        "{stderr}"
    );
    assert_eq!(printed, 2, "the cycle under way was finished and printed");
    let records = audit(slow.config());
    let outcomes: Vec<&str> = records
        .iter()
        .map(|record| record["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["completed", "completed"], "{records:?}");
    let applied = |record: &serde_json::Value| record["applied"].as_array().unwrap().len();
    assert!(applied(&records[1]) > 0, "{records:?}");
    assert!(
        records[1]["applied"]
            .as_array()
            .unwrap()
            .iter()
            .all(|change| change["error"].is_null()),
        "{records:?}"
    );
    let cycles_with_changes = records.iter().filter(|r| applied(r) > 0).count() as u64;
    assert_eq!(
        slow.sim.counters().transactions,
        cycles_with_changes,
        "the stopped cycle's changes reached the box"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn a_second_signal_stops_at_once() {
    let _alone = crate::common::alone();
    let slow = SlowBox::start().await;
    let (status, printed, stderr) = run_and_signal(slow.config(), &[libc::SIGINT, libc::SIGINT]);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("SIGINT again: stopped in the middle of a cycle; if it had begun applying"),
        "{stderr}"
    );
    assert_eq!(printed, 1, "the second cycle was cut short");
}
