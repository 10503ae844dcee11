//! One world for replicated hosts: a three-member etcd, a BIG-IP simulator
//! whose answers are slowed down (so a cycle spends its time applying) and
//! a GCE simulator whose operations take a while, and `host run` replicas
//! on them, each with its own configuration and state directory. Every
//! replica runs the state-counter policy (a new ratio on one member each
//! cycle, counted in shared state) and queue-scaling (a full queue: the
//! group grows by one each scale-out cool-down).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use fulcrum_bigip::sim::{Faults, RunningSim, SimOptions};
use fulcrum_plugin_artifacts as artifacts;

use crate::etcd_cluster::{EtcdCluster, signal};

/// The lease TTL the replicas run with.
pub const TTL: Duration = Duration::from_secs(2);
/// Time between cycles.
pub const INTERVAL: Duration = Duration::from_millis(300);
/// The guard's scale-out cool-down.
pub const COOLDOWN: Duration = Duration::from_secs(5);
/// The group's size as the GCE simulator seeds it.
pub const SEEDED_SIZE: u64 = 3;

/// The shared world.
pub struct World {
    pub etcd: EtcdCluster,
    pub bigip: RunningSim,
    pub gce: fulcrum_gce::sim::SimServer,
    dir: tempfile::TempDir,
}

impl World {
    pub async fn start() -> World {
        let etcd = EtcdCluster::start(3).await;
        let bigip = fulcrum_bigip::sim::start(SimOptions::default())
            .await
            .unwrap();
        bigip.set_faults(Faults {
            latency_ms: 40,
            ..Faults::default()
        });
        let mut options = fulcrum_gce::sim::SimOptions::default();
        options.timing.operation_delay = Duration::from_millis(800);
        options.timing.boot_delay = Duration::from_millis(500);
        let gce = fulcrum_gce::sim::start(options).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), bigip.ca_pem()).unwrap();
        std::fs::write(dir.path().join("password"), "admin\n").unwrap();
        World {
            etcd,
            bigip,
            gce,
            dir,
        }
    }

    /// Write replica `name`'s configuration; its path.
    fn config(&self, name: &str) -> PathBuf {
        let endpoints: Vec<String> = self
            .etcd
            .endpoints()
            .iter()
            .map(|e| format!("{e:?}"))
            .collect();
        let text = format!(
            r#"
[engine]
state_dir = "state-{name}"
metrics_listen = "127.0.0.1:0"
[ha]
backend = "etcd"
endpoints = [{endpoints}]
replica = "{name}"
key_prefix = "/fulcrum-failover/"
lease_ttl_secs = {ttl}
apply_margin_ms = 600
request_timeout_ms = 500
[bigip]
url = "{bigip}"
username = "admin"
password = {{ file = "password" }}
ca_file = "ca.pem"
pools = ["/Common/mlPool"]
[gce]
project = "demo-project"
api_root = "{gce}"
credentials = {{ kind = "anonymous" }}
[[gce.groups]]
name = "{group}"
zone = "us-central1-a"
min_size = 1
max_size = 40
[[signals]]
name = "queue-depth"
value = 4000
[guard]
scale_out_step = {{ count = 1, percent = 0 }}
scale_out_cooldown_secs = {cooldown}
[[policies]]
path = {counter:?}
[[policies.grant]]
actions = ["member-ratio"]
pools = ["mlPool"]
[[policies]]
path = {scaling:?}
[[policies.grant]]
actions = ["group-size"]
groups = ["{group}"]
"#,
            endpoints = endpoints.join(", "),
            ttl = TTL.as_secs(),
            bigip = self.bigip.base_url(),
            gce = self.gce.api_root(),
            group = fulcrum_gce::sim::GROUP,
            cooldown = COOLDOWN.as_secs(),
            counter = artifacts::STATE_COUNTER,
            scaling = artifacts::QUEUE_SCALING,
        );
        let path = self.dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Start `host run` as replica `name`.
    pub fn replica(&self, name: &str) -> Host {
        let config = self.config(name);
        let mut child = Command::new(env!("CARGO_BIN_EXE_host"))
            .arg("run")
            .arg("--config")
            .arg(&config)
            .args(["--interval", &format!("{}ms", INTERVAL.as_millis())])
            .arg("--no-cache")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((Instant::now(), line));
            }
        });
        Host {
            name: name.to_owned(),
            config,
            child,
            lines,
        }
    }

    /// The ratios the BIG-IP applied to member 0, in order.
    pub fn applied_ratios(&self) -> Vec<u64> {
        self.bigip
            .applied_writes()
            .iter()
            .filter_map(|write| write.body.get("ratio")?.as_u64())
            .collect()
    }
}

/// A running `host run` replica, killed when dropped.
pub struct Host {
    pub name: String,
    pub config: PathBuf,
    child: Child,
    lines: Arc<Mutex<Vec<(Instant, String)>>>,
}

impl Host {
    /// When it first printed a line starting with `prefix` after `since`.
    pub fn printed_since(&self, since: Instant, prefix: &str) -> Option<Instant> {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        lines
            .iter()
            .find(|(at, line)| *at >= since && line.starts_with(prefix))
            .map(|(at, _)| *at)
    }

    /// Wait up to `limit` for a line starting with `prefix` after `since`.
    pub async fn wait_for(&self, since: Instant, prefix: &str, limit: Duration) -> Instant {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(at) = self.printed_since(since, prefix) {
                return at;
            }
            assert!(
                Instant::now() < deadline,
                "replica {} printed no {prefix:?} within {limit:?}; it printed:\n{}",
                self.name,
                self.output()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Everything it printed, for failure messages.
    pub fn output(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        let mut text = String::new();
        for (_, line) in lines.iter() {
            text.push_str(line);
            text.push('\n');
        }
        text
    }

    /// Whether it leads now: its last role line says so.
    pub fn leads(&self) -> bool {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        let prefix = format!("replica {}: ", self.name);
        lines
            .iter()
            .rev()
            .find(|(_, line)| line.starts_with(&prefix))
            .is_some_and(|(_, line)| line.ends_with(": leading"))
    }

    /// The address of its `/metrics` and `/healthz`, as it printed it.
    pub fn metrics_base(&self) -> String {
        let lines = self.lines.lock().unwrap_or_else(PoisonError::into_inner);
        let (_, line) = lines
            .iter()
            .find(|(_, line)| line.starts_with("metrics on "))
            .expect("the replica serves its metrics");
        line.trim_start_matches("metrics on ")
            .trim_end_matches("/metrics")
            .to_owned()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// Open its store once, as its next start would, so a store left by
    /// `kill -9` is repaired and its audit log reads.
    pub fn repair_store(&self) {
        let dir = self
            .config
            .parent()
            .unwrap()
            .join(format!("state-{}", self.name));
        drop(fulcrum_host::store::Store::open(&dir.join(fulcrum_host::store::STORE_FILE)).unwrap());
    }

    pub fn pause(&self) {
        signal(self.pid(), "STOP");
    }

    pub fn resume(&self) {
        signal(self.pid(), "CONT");
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait up to `limit` until one of `hosts` leads; its index.
pub async fn leader(hosts: &[&Host], limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(index) = hosts.iter().position(|host| host.leads()) {
            return index;
        }
        assert!(Instant::now() < deadline, "no replica led within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `values` strictly increasing: no value written twice, none out of order.
pub fn assert_strictly_increasing(values: &[u64], what: &str) {
    for pair in values.windows(2) {
        assert!(
            pair[0] < pair[1],
            "{what} not strictly increasing: {values:?}"
        );
    }
}
