//! Shared by the tests that run the `host` binary: the turn every such test
//! takes ([`alone`]); and, for those that run it against a BIG-IP simulator
//! whose answers are slowed down, so that most of each cycle is spent
//! collecting and applying, the binary, its audit log, and the setup.

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, PoisonError};

use fulcrum_bigip::sim::{Faults, RunningSim, SimOptions};
use fulcrum_plugin_artifacts as artifacts;

static ONE_HOST_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Held by every test while it runs the `host` binary (or another heavy
/// server), so they take turns.
pub fn alone() -> MutexGuard<'static, ()> {
    ONE_HOST_AT_A_TIME
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// The `host` binary with `args`, compiling policies afresh.
fn host(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_host"));
    command.args(args).arg("--no-cache");
    command
}

/// Runs the `host` binary with `args` to the end; it must succeed.
pub fn host_ok(args: &[&str]) -> Output {
    let out = host(args).output().unwrap();
    assert!(
        out.status.success(),
        "host {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `host audit --json` on `config`: one record per cycle, each whole JSON.
pub fn audit(config: &str) -> Vec<serde_json::Value> {
    let out = host_ok(&["audit", "--config", config, "--json"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every record is whole JSON"))
        .collect()
}

/// Kills the child on drop, so a failed assertion leaves no process behind.
pub struct Running(pub Child);

impl Running {
    /// `host run` on `config`, cycles back to back, its stdout piped and
    /// its stderr sent to `stderr`.
    pub fn back_to_back(config: &str, stderr: Stdio) -> Running {
        Running(
            host(&["run", "--config", config, "--interval", "0s"])
                .stdout(Stdio::piped())
                .stderr(stderr)
                .spawn()
                .unwrap(),
        )
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A BIG-IP simulator that answers every request after 40 ms, and a
/// configuration (in its own directory, with a state directory) that runs
/// the state-counter policy on its `mlPool`.
pub struct SlowBox {
    pub sim: RunningSim,
    pub config: PathBuf,
    _dir: tempfile::TempDir,
}

impl SlowBox {
    pub async fn start() -> SlowBox {
        let sim = fulcrum_bigip::sim::start(SimOptions::default())
            .await
            .unwrap();
        sim.set_faults(Faults {
            latency_ms: 40,
            ..Faults::default()
        });
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), sim.ca_pem()).unwrap();
        std::fs::write(dir.path().join("password"), "admin\n").unwrap();
        let config = dir.path().join("fulcrum.toml");
        std::fs::write(
            &config,
            format!(
                r#"
[engine]
state_dir = "state"
[bigip]
url = "{url}"
username = "admin"
password = {{ file = "password" }}
ca_file = "ca.pem"
pools = ["/Common/mlPool"]
[[policies]]
path = {policy:?}
[[policies.grant]]
actions = ["member-ratio"]
pools = ["mlPool"]
"#,
                url = sim.base_url(),
                policy = artifacts::STATE_COUNTER,
            ),
        )
        .unwrap();
        SlowBox {
            sim,
            config,
            _dir: dir,
        }
    }

    /// The configuration's path, as an argument.
    pub fn config(&self) -> &str {
        self.config.to_str().unwrap()
    }
}

/// The embedded fleet's first `count` nodes, `ml-node-N` at 127.0.1.N.
pub fn fleet_nodes(count: usize) -> Vec<fulcrum_host::sources::NodeIdentity> {
    (1..=count)
        .map(|n| fulcrum_host::sources::NodeIdentity {
            name: format!("ml-node-{n}"),
            address: format!("127.0.1.{n}"),
            hostname: Some(format!("ml-node-{n}")),
        })
        .collect()
}
