//! A real etcd for the HA tests: members on loopback ports, each in a
//! temporary directory, killed when dropped. The `etcd` binary must be on
//! PATH (Debian's `etcd-server`, which `scripts/test` installs); without it
//! the tests fail, saying so, rather than skip.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Running etcd members forming one cluster.
pub struct EtcdCluster {
    members: Vec<Member>,
    _dir: tempfile::TempDir,
}

struct Member {
    name: String,
    client_url: String,
    child: Child,
}

/// A free loopback port: bound, read, released.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `kill -SIGNAL pid`.
pub fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

impl EtcdCluster {
    /// Start `size` members and wait until the cluster answers.
    pub async fn start(size: usize) -> EtcdCluster {
        let found = Command::new("etcd")
            .arg("--version")
            .stdout(Stdio::null())
            .status();
        assert!(
            found.is_ok_and(|status| status.success()),
            "the HA tests need the `etcd` binary on PATH: install Debian's etcd-server \
             (scripts/test installs it when missing)"
        );
        let dir = tempfile::tempdir().unwrap();
        let ports: Vec<(u16, u16)> = (0..size).map(|_| (free_port(), free_port())).collect();
        let initial_cluster = ports
            .iter()
            .enumerate()
            .map(|(i, (_, peer))| format!("m{i}=http://127.0.0.1:{peer}"))
            .collect::<Vec<_>>()
            .join(",");
        let token = format!("fulcrum-test-{}-{}", std::process::id(), free_port());
        let members = ports
            .iter()
            .enumerate()
            .map(|(i, &(client, peer))| {
                let name = format!("m{i}");
                let client_url = format!("http://127.0.0.1:{client}");
                let peer_url = format!("http://127.0.0.1:{peer}");
                let child = Command::new("etcd")
                    .args(["--name", &name])
                    .arg("--data-dir")
                    .arg(dir.path().join(&name))
                    .args(["--listen-client-urls", &client_url])
                    .args(["--advertise-client-urls", &client_url])
                    .args(["--listen-peer-urls", &peer_url])
                    .args(["--initial-advertise-peer-urls", &peer_url])
                    .args(["--initial-cluster", &initial_cluster])
                    .args(["--initial-cluster-state", "new"])
                    .args(["--initial-cluster-token", &token])
                    // Fast raft on loopback: a lost member is noticed in half a second.
                    .args(["--heartbeat-interval", "50", "--election-timeout", "500"])
                    .args(["--logger", "zap", "--log-level", "error"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("etcd starts");
                Member {
                    name,
                    client_url,
                    child,
                }
            })
            .collect();
        let cluster = EtcdCluster { members, _dir: dir };
        cluster.wait_healthy(Duration::from_secs(30)).await;
        cluster
    }

    /// Every member's client URL.
    pub fn endpoints(&self) -> Vec<String> {
        self.members.iter().map(|m| m.client_url.clone()).collect()
    }

    /// The process id of member `index`.
    pub fn pid(&self, index: usize) -> u32 {
        self.members[index].child.id()
    }

    /// Wait until a write through the cluster succeeds, up to `limit`.
    pub async fn wait_healthy(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let endpoints = self.endpoints();
        let mut last = String::new();
        while Instant::now() < deadline {
            let options = etcd_client::ConnectOptions::new()
                .with_timeout(Duration::from_secs(1))
                .with_connect_timeout(Duration::from_secs(1))
                .with_require_leader(true);
            let attempt = async {
                let mut client =
                    etcd_client::Client::connect(endpoints.clone(), Some(options)).await?;
                client
                    .put("fulcrum-test/health", "ok", None)
                    .await
                    .map(drop)
            };
            match attempt.await {
                Ok(()) => return,
                Err(error) => last = error.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let names: Vec<&str> = self.members.iter().map(|m| m.name.as_str()).collect();
        panic!("etcd members {names:?} did not become healthy within {limit:?}: {last}");
    }
}

impl Drop for EtcdCluster {
    fn drop(&mut self) {
        for member in &mut self.members {
            // SIGKILL ends a stopped member too.
            let _ = member.child.kill();
            let _ = member.child.wait();
        }
    }
}
