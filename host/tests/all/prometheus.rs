//! End to end: a real Prometheus server scrapes the simulated fleet's DCGM
//! exporters on loopback, and the Prometheus source reads back the same
//! readings as scraping the exporters directly.
//!
//! Needs the `prometheus` binary: `$PROMETHEUS`, else `/usr/bin/prometheus`
//! (Debian's package), else `prometheus` on `PATH`. Without it the test
//! fails, saying so.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::fleet_nodes;
use fulcrum_host::sim::{ExporterServers, Fleet, FleetConfig};
use fulcrum_host::sources::{
    CycleTelemetry, DcgmConfig, GpuReading, JoinBy, NodeIdentity, PrometheusConfig,
    PrometheusQueries, TelemetryCollector, TelemetryConfig,
};

/// How often, and how many times, to poll while the server starts and scrapes.
const POLL: Duration = Duration::from_millis(200);
const POLLS: usize = 150;

/// A Prometheus server on 127.0.0.1 with its own config and storage, killed
/// when dropped.
struct PrometheusServer {
    child: Child,
    url: String,
    dir: tempfile::TempDir,
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl PrometheusServer {
    /// Start one that scrapes `targets` (`host:port`) every second.
    fn start(targets: &[String]) -> PrometheusServer {
        let binary = prometheus_binary();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let targets: Vec<String> = targets.iter().map(|t| format!("'{t}'")).collect();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n  - job_name: dcgm\n    static_configs:\n      - targets: [{}]\n",
            targets.join(", ")
        );
        std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
        // An ephemeral port, freed for the server to take.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .unwrap()
            .port();
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = Command::new(&binary)
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: cannot start: {e}", binary.display()));
        PrometheusServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    /// Panic with the server's log if it has exited.
    fn check_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            let log =
                std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default();
            panic!("prometheus exited with {status}; its log:\n{log}");
        }
    }
}

fn prometheus_binary() -> PathBuf {
    let candidates = std::env::var_os("PROMETHEUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([PathBuf::from("/usr/bin/prometheus")])
        .chain(
            std::env::var_os("PATH")
                .map(|path| {
                    std::env::split_paths(&path)
                        .map(|dir| dir.join("prometheus"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default(),
        );
    for candidate in candidates {
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "the prometheus binary is missing: this test runs a real Prometheus server. \
         Install it (Debian: `apt-get install prometheus`) or set PROMETHEUS to its path"
    );
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn prometheus_source(url: &str, join: JoinBy) -> TelemetryConfig {
    TelemetryConfig::Prometheus(PrometheusConfig {
        url: url.to_owned(),
        queries: PrometheusQueries::default(),
        join,
        address_label: "instance".into(),
        timeout: Duration::from_secs(5),
        stale_after: Duration::from_secs(60),
    })
}

/// Collect until every node has `gpus` GPUs and nothing failed, or give up.
async fn collect_all(
    collector: &mut TelemetryCollector,
    nodes: &[NodeIdentity],
    gpus: usize,
    server: &mut PrometheusServer,
) -> CycleTelemetry {
    let mut last = None;
    for _ in 0..POLLS {
        server.check_running();
        let cycle = collector.collect(nodes, now_ms()).await;
        let complete = cycle.errors.is_empty()
            && cycle.nodes.iter().all(|node| {
                node.readings
                    .as_ref()
                    .is_some_and(|readings| readings.gpus.len() == gpus)
            });
        if complete {
            return cycle;
        }
        last = Some(cycle);
        tokio::time::sleep(POLL).await;
    }
    panic!("Prometheus did not serve every node's series in time; last: {last:?}");
}

/// Equal, or both missing.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

fn assert_same(direct: &GpuReading, read_back: &GpuReading, at: &str) {
    assert_eq!(direct.uuid, read_back.uuid, "{at}");
    assert_eq!(direct.index, read_back.index, "{at}");
    assert_eq!(direct.last_xid, read_back.last_xid, "{at}");
    assert_eq!(direct.health(), read_back.health(), "{at}");
    assert_eq!(direct.throttled(), read_back.throttled(), "{at}");
    for (field, a, b) in [
        ("utilization", direct.utilization, read_back.utilization),
        (
            "tensor_activity",
            direct.tensor_activity,
            read_back.tensor_activity,
        ),
        (
            "memory_used_mib",
            direct.memory_used_mib,
            read_back.memory_used_mib,
        ),
        (
            "memory_total_mib",
            direct.memory_total_mib,
            read_back.memory_total_mib,
        ),
        (
            "temperature_c",
            direct.temperature_c,
            read_back.temperature_c,
        ),
        ("power_w", direct.power_w, read_back.power_w),
        (
            "power_limit_w",
            direct.power_limit_w,
            read_back.power_limit_w,
        ),
        ("sm_clock_mhz", direct.sm_clock_mhz, read_back.sm_clock_mhz),
    ] {
        assert!(same(a, b), "{at}: {field}: direct {a}, from Prometheus {b}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes heavy tests take turns; no task here waits on it"
)]
async fn prometheus_reads_back_what_the_exporters_serve() {
    let _alone = crate::common::alone();
    let config = FleetConfig::default();
    let (node_count, gpus) = (config.nodes, config.gpus_per_node);
    let mut fleet = Fleet::new(config, 1_767_225_600_000);
    // Cycle 9: ml-node-3's GPU 3 reports XID 79, so a GPU is unhealthy.
    for _ in 0..9 {
        fleet.advance();
    }
    let exporters = ExporterServers::start(&fleet)
        .await
        .expect("exporters start");
    exporters.publish(&fleet);
    let targets: Vec<String> = exporters
        .urls()
        .iter()
        .map(|url| {
            let host_port = url
                .trim_start_matches("http://")
                .trim_end_matches("/metrics");
            host_port.to_owned()
        })
        .collect();
    let mut server = PrometheusServer::start(&targets);
    let nodes = fleet_nodes(node_count);

    let mut from_prometheus =
        TelemetryCollector::new(vec![prometheus_source(&server.url, JoinBy::Address)]).unwrap();
    let read_back = collect_all(&mut from_prometheus, &nodes, gpus, &mut server).await;

    let mut direct = TelemetryCollector::new(vec![TelemetryConfig::Dcgm(DcgmConfig {
        url: None,
        urls: exporters.urls().to_vec(),
        join: JoinBy::Address,
        timeout: Duration::from_secs(5),
        stale_after: Duration::from_secs(60),
    })])
    .unwrap();
    let scraped = direct.collect(&nodes, now_ms()).await;
    assert!(scraped.errors.is_empty(), "{:?}", scraped.errors);

    let mut unhealthy = 0;
    for (node, (a, b)) in scraped.nodes.iter().zip(&read_back.nodes).enumerate() {
        assert!(!b.stale, "node {node}: {} ms old", b.age_ms);
        let (a, b) = (a.readings.as_ref().unwrap(), b.readings.as_ref().unwrap());
        assert_eq!(b.target, server.url);
        assert_eq!(a.gpus.len(), b.gpus.len());
        for (gpu, (x, y)) in a.gpus.iter().zip(&b.gpus).enumerate() {
            assert_same(x, y, &format!("ml-node-{} GPU {gpu}", node + 1));
            unhealthy += usize::from(y.health() == fulcrum_host::model::Health::Unhealthy);
        }
    }
    assert_eq!(unhealthy, 1, "ml-node-3 GPU 3's XID 79 comes through");

    // The same series joined by the exporters' Hostname label.
    let mut by_hostname =
        TelemetryCollector::new(vec![prometheus_source(&server.url, JoinBy::Hostname)]).unwrap();
    let cycle = collect_all(&mut by_hostname, &nodes, gpus, &mut server).await;
    for (a, b) in cycle.nodes.iter().zip(&read_back.nodes) {
        let (a, b) = (a.readings.as_ref().unwrap(), b.readings.as_ref().unwrap());
        assert_eq!(a.gpus[0].uuid, b.gpus[0].uuid);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[allow(
    clippy::await_holding_lock,
    reason = "the guard only makes heavy tests take turns; no task here waits on it"
)]
async fn a_bad_query_is_reported_by_the_server_and_names_it() {
    let _alone = crate::common::alone();
    let mut server = PrometheusServer::start(&[]);
    let mut collector =
        TelemetryCollector::new(vec![TelemetryConfig::Prometheus(PrometheusConfig {
            url: server.url.clone(),
            queries: PrometheusQueries {
                utilization: "rate(DCGM_FI_PROF_GR_ENGINE_ACTIVE[".into(),
                ..PrometheusQueries::default()
            },
            join: JoinBy::Address,
            address_label: "instance".into(),
            timeout: Duration::from_secs(5),
            stale_after: Duration::from_secs(60),
        })])
        .unwrap();
    let nodes = fleet_nodes(1);
    for _ in 0..POLLS {
        server.check_running();
        let cycle = collector.collect(&nodes, now_ms()).await;
        let refused = cycle.errors.iter().any(|error| {
            error.to_string().contains("Connection refused")
                || error.to_string().contains("request failed")
        });
        if refused {
            tokio::time::sleep(POLL).await;
            continue;
        }
        assert_eq!(cycle.errors.len(), 1, "{:?}", cycle.errors);
        let error = cycle.errors[0].to_string();
        assert!(error.starts_with("telemetry[0] (prometheus): "), "{error}");
        assert!(
            error.contains("/api/v1/query?query=rate%28DCGM_FI_PROF_GR_ENGINE_ACTIVE%5B"),
            "{error}"
        );
        assert!(
            error.contains("query failed (HTTP 400, bad_data)"),
            "{error}"
        );
        assert!(cycle.nodes[0].readings.is_none());
        return;
    }
    panic!("the Prometheus server never answered");
}
