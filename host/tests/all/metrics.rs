//! The observability endpoint of a running host: `/metrics` in the
//! OpenMetrics text format and `/healthz`, on the loopback address the
//! configuration names.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use fulcrum_plugin_artifacts as artifacts;

/// Kills the child on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes hosts take turns; no task here waits on it"
)]
async fn a_running_host_serves_metrics_and_health() {
    let _alone = crate::common::alone();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fulcrum.toml");
    std::fs::write(
        &config,
        format!(
            "[engine]\nmetrics_listen = \"127.0.0.1:0\"\n[[policies]]\npath = {:?}\n\
             [[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"otherPool\"]\n",
            artifacts::GPU_WEIGHTING
        ),
    )
    .unwrap();
    let mut host = Running(
        Command::new(env!("CARGO_BIN_EXE_host"))
            .args(["run", "--no-cache", "--interval", "100ms", "--config"])
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(host.0.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next()
            .expect("the host prints its metrics address")
            .unwrap();
        if let Some(url) = line.strip_prefix("metrics on ") {
            break url.to_owned();
        }
    };
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    // Wait for two cycles, so there is something to count.
    let mut cycles = 0;
    while cycles < 2 {
        let line = lines.next().expect("the host prints cycles").unwrap();
        cycles += usize::from(line.starts_with("cycle "));
    }

    fulcrum_host::tls::install_crypto_provider();
    let client = reqwest::Client::new();
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    for expected in [
        "fulcrum_policy_evaluations_total{policy=\"gpu-weighting\"}",
        "fulcrum_policy_evaluation_duration_seconds_bucket{",
        "fulcrum_actions_total{policy=\"gpu-weighting\",kind=\"member-ratio\",outcome=\"rejected\"}",
        "fulcrum_cycles_total",
        "fulcrum_backend_operations_total{backend=\"bigip\"}",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }

    let health = client
        .get(url.replace("/metrics", "/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.text().await.unwrap().starts_with("ok: last cycle"));
}
