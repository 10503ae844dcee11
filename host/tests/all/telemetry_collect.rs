//! The telemetry collector against the simulated fleet's DCGM exporters,
//! hand-made pages, Prometheus servers and nvidia-smi files and commands:
//! joins, staleness, failures that stay with their target.

use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::routing::get;

use fulcrum_host::model::{Health, SnapshotBuilder};
use fulcrum_host::sim::{ExporterServers, Fleet, FleetConfig};
use fulcrum_host::sources::{
    CycleTelemetry, DcgmConfig, JoinBy, NodeIdentity, NvidiaSmiConfig, NvidiaSmiFormat,
    PrometheusConfig, PrometheusQueries, TelemetryCollector, TelemetryConfig,
};

use crate::common::fleet_nodes;

const T0: u64 = 1_767_225_600_000;

fn dcgm(url: Option<String>, urls: Vec<String>, join: JoinBy) -> TelemetryConfig {
    TelemetryConfig::Dcgm(DcgmConfig {
        url,
        urls,
        join,
        timeout: Duration::from_secs(5),
        stale_after: Duration::from_secs(90),
    })
}

/// Serve each `(path, body)` on 127.0.0.1; returns the base URL.
async fn serve(pages: Vec<(&'static str, String)>) -> String {
    let mut app = Router::new();
    for (path, body) in pages {
        app = app.route(path, get(move || async move { body }));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

#[tokio::test]
async fn a_url_template_reads_every_node_of_the_fleet() {
    let fleet = Fleet::new(FleetConfig::default(), T0);
    let servers = ExporterServers::start_shared(&fleet).await.unwrap();
    let template = servers.shared_url_template().unwrap();
    let mut collector =
        TelemetryCollector::new(vec![dcgm(Some(template), Vec::new(), JoinBy::Address)]).unwrap();
    let nodes = fleet_nodes(3);
    let cycle = collector.collect(&nodes, T0).await;
    assert!(cycle.errors.is_empty(), "{:?}", cycle.errors);
    let snapshot = fleet.snapshot(1);
    for (position, node) in cycle.nodes.iter().enumerate() {
        assert_eq!((node.source, node.age_ms, node.stale), (Some(0), 0, false));
        let readings = node.readings.as_ref().unwrap();
        assert_eq!(readings.target, servers.urls()[position]);
        let rows = snapshot.node_gpus(position as u32);
        assert_eq!(readings.gpus.len(), rows.len());
        for (gpu, row) in readings.gpus.iter().zip(rows) {
            let expected = f64::from(snapshot.gpus.utilization[row]);
            assert!((gpu.utilization - expected).abs() < 1e-6);
        }
    }
}

#[tokio::test]
async fn fixed_urls_join_by_host_or_by_hostname_label() {
    let fleet = Fleet::new(FleetConfig::default(), T0);
    let servers = ExporterServers::start(&fleet).await.unwrap();
    let urls = servers.urls().to_vec();
    let nodes = fleet_nodes(3);

    let mut by_address =
        TelemetryCollector::new(vec![dcgm(None, urls.clone(), JoinBy::Address)]).unwrap();
    let cycle = by_address.collect(&nodes, T0).await;
    assert!(cycle.errors.is_empty(), "{:?}", cycle.errors);
    for (position, node) in cycle.nodes.iter().enumerate() {
        assert_eq!(node.readings.as_ref().unwrap().target, urls[position]);
    }

    // By host name the nodes may sit anywhere; node 2 is not in this cycle.
    let mut reordered = vec![nodes[2].clone(), nodes[0].clone()];
    reordered[1].address = "10.9.9.9".into();
    let mut by_hostname =
        TelemetryCollector::new(vec![dcgm(None, urls.clone(), JoinBy::Hostname)]).unwrap();
    let cycle = by_hostname.collect(&reordered, T0).await;
    assert_eq!(cycle.nodes[0].readings.as_ref().unwrap().target, urls[2]);
    assert_eq!(cycle.nodes[1].readings.as_ref().unwrap().target, urls[0]);
    assert_eq!(cycle.errors.len(), 1);
    let error = cycle.errors[0].to_string();
    assert_eq!(
        error,
        format!(
            "telemetry[0] (dcgm): {}: no node of this cycle has host name `ml-node-2`",
            urls[1]
        )
    );
}

#[tokio::test]
async fn a_failed_scrape_keeps_the_last_values_until_they_are_stale() {
    let fleet = Fleet::new(FleetConfig::default(), T0);
    let servers = ExporterServers::start(&fleet).await.unwrap();
    let urls = servers.urls().to_vec();
    let nodes = fleet_nodes(3);
    let mut collector =
        TelemetryCollector::new(vec![dcgm(None, urls.clone(), JoinBy::Address)]).unwrap();
    assert!(collector.collect(&nodes, T0).await.errors.is_empty());
    drop(servers);

    let cycle = collector.collect(&nodes, T0 + 15_000).await;
    assert_eq!(cycle.errors.len(), 3);
    assert!(
        cycle.errors[0].to_string().contains(&urls[0]),
        "{}",
        cycle.errors[0]
    );
    let node = &cycle.nodes[0];
    assert_eq!((node.age_ms, node.stale), (15_000, false));
    assert_eq!(node.readings.as_ref().unwrap().gpus.len(), 8);

    let cycle = collector.collect(&nodes, T0 + 90_001).await;
    let node = &cycle.nodes[0];
    assert_eq!((node.age_ms, node.stale), (90_001, true));
    assert_eq!(node.health(), Health::Unknown);
    assert_eq!(
        node.gpu_samples().len(),
        8,
        "stale rows keep the last values"
    );

    // Fed to the snapshot: the age and staleness columns.
    let mut builder = SnapshotBuilder::new();
    for (telemetry, identity) in cycle.nodes.iter().zip(&nodes) {
        telemetry.add_to(&mut builder, identity, &[]);
    }
    let snapshot = builder.build(1, T0 + 90_001);
    assert_eq!(snapshot.nodes.telemetry_age_ms, vec![90_001; 3]);
    assert_eq!(snapshot.nodes.stale, vec![1; 3]);
    assert_eq!(snapshot.gpus.node.len(), 24);
}

#[tokio::test]
async fn a_node_never_read_is_stale_with_no_readings() {
    let mut collector = TelemetryCollector::new(vec![dcgm(
        Some("http://{address}:1/metrics".into()),
        Vec::new(),
        JoinBy::Address,
    )])
    .unwrap();
    let cycle = collector.collect(&fleet_nodes(1), T0).await;
    let node = &cycle.nodes[0];
    assert!(node.readings.is_none());
    assert_eq!(
        (node.age_ms, node.stale, node.source),
        (u32::MAX, true, None)
    );
    assert_eq!(
        cycle.errors[0].target, "http://127.0.1.1:1/metrics",
        "{}",
        cycle.errors[0]
    );
}

#[tokio::test]
async fn hostile_scrapes_fail_alone() {
    let good = Fleet::new(FleetConfig::default(), T0)
        .dcgm_metrics(0)
        .unwrap();
    let labels: String = (0..10_000).map(|i| format!("l{i}=\"v\",")).collect();
    let pages = vec![
        ("/good", good),
        (
            "/garbage",
            "<html><body>502 Bad Gateway</body></html>".to_owned(),
        ),
        (
            "/truncated",
            "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-1".to_owned(),
        ),
        ("/labels", format!("DCGM_FI_DEV_GPU_TEMP{{{labels}}} 1\n")),
        (
            "/odd-values",
            "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-9\",Hostname=\"odd\"} NaN\n\
             DCGM_FI_DEV_FB_USED{gpu=\"0\",UUID=\"GPU-9\",Hostname=\"odd\"} -5\n\
             DCGM_FI_DEV_FB_FREE{gpu=\"0\",UUID=\"GPU-9\",Hostname=\"odd\"} 100\n"
                .to_owned(),
        ),
    ];
    let base = serve(pages).await;
    let nodes: Vec<NodeIdentity> = ["good", "garbage", "truncated", "labels", "odd-values"]
        .iter()
        .enumerate()
        .map(|(n, name)| NodeIdentity {
            name: name.to_string(),
            address: format!("127.0.1.{}", n + 1),
            hostname: None,
        })
        .collect();
    let template = format!("{base}/{{name}}");
    let mut collector =
        TelemetryCollector::new(vec![dcgm(Some(template), Vec::new(), JoinBy::Address)]).unwrap();
    let cycle = collector.collect(&nodes, T0).await;

    assert_eq!(cycle.nodes[0].readings.as_ref().unwrap().gpus.len(), 8);
    let messages: Vec<String> = cycle.errors.iter().map(ToString::to_string).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(messages[0].contains(&format!("{base}/garbage:1: expected a metric name")));
    assert!(messages[1].contains(&format!(
        "{base}/truncated:1: DCGM_FI_DEV_GPU_TEMP: unterminated value"
    )));
    assert!(messages[2].contains(&format!(
        "{base}/labels:1: DCGM_FI_DEV_GPU_TEMP: more than 64 labels"
    )));
    for stale in &cycle.nodes[1..4] {
        assert!(stale.readings.is_none() && stale.stale);
    }
    let odd = cycle.nodes[4].readings.as_ref().unwrap();
    assert!(odd.gpus[0].utilization.is_nan());
    assert!(odd.gpus[0].memory_used_mib.is_nan());
    assert_eq!(odd.gpus[0].memory_free_mib, 100.0);
    assert!(
        odd.warnings[0]
            .to_string()
            .contains("value -5 is outside the physical range")
    );
}

#[tokio::test]
async fn prometheus_failures_name_each_query_and_keep_nothing() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = PrometheusConfig {
        url: format!("http://{closed}"),
        queries: PrometheusQueries {
            gpu_util: String::new(),
            ..PrometheusQueries::default()
        },
        join: JoinBy::Address,
        address_label: "instance".into(),
        timeout: Duration::from_secs(5),
        stale_after: Duration::from_secs(60),
    };
    let mut collector = TelemetryCollector::new(vec![TelemetryConfig::Prometheus(config)]).unwrap();
    let cycle = collector.collect(&fleet_nodes(2), T0).await;
    assert_eq!(cycle.errors.len(), 13);
    let error = cycle.errors[0].to_string();
    assert!(
        error.starts_with(&format!(
            "telemetry[0] (prometheus): http://{closed}/api/v1/query?query=DCGM_FI_"
        )),
        "{error}"
    );
    assert!(
        cycle
            .nodes
            .iter()
            .all(|node| node.readings.is_none() && node.stale)
    );
}

fn nvidia_smi_fixtures() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/nvidia-smi")
        .display()
        .to_string()
}

/// One cycle of an nvidia-smi source reading, for each node of `names`, the
/// fixture `{name}__{output}` in `format` with its `-L` listing.
async fn nvidia_smi_files(format: NvidiaSmiFormat, output: &str, names: &[&str]) -> CycleTelemetry {
    let dir = nvidia_smi_fixtures();
    let config = NvidiaSmiConfig {
        format,
        command: None,
        file: Some(format!("{dir}/{{name}}__{output}")),
        list_command: None,
        list_file: Some(format!("{dir}/{{name}}__list.txt")),
        node: None,
        join: JoinBy::Address,
        timeout: Duration::from_secs(5),
        stale_after: Duration::from_secs(60),
    };
    let nodes: Vec<NodeIdentity> = names
        .iter()
        .enumerate()
        .map(|(n, name)| NodeIdentity {
            name: name.to_string(),
            address: format!("127.0.1.{}", n + 1),
            hostname: None,
        })
        .collect();
    let mut collector = TelemetryCollector::new(vec![TelemetryConfig::NvidiaSmi(config)]).unwrap();
    collector.collect(&nodes, T0).await
}

#[tokio::test]
async fn nvidia_smi_files_are_read_per_node() {
    let dir = nvidia_smi_fixtures();
    let cycle = nvidia_smi_files(
        NvidiaSmiFormat::Csv,
        "query-gpu__load.csv",
        &["h100", "h100-mig", "absent"],
    )
    .await;

    let h100 = cycle.nodes[0].readings.as_ref().unwrap();
    assert_eq!(h100.gpus[0].utilization, 1.0);
    assert_eq!(h100.gpus[0].memory_used_mib, 19818.0);
    assert_eq!(h100.gpus[0].power_w, 631.95);
    assert!(h100.mig_devices[0].mig_devices.is_empty());
    let mig = cycle.nodes[1].readings.as_ref().unwrap();
    assert!(mig.gpus[0].utilization.is_nan(), "[N/A] under MIG");
    assert_eq!(mig.gpus[0].memory_used_mib, 11125.0);
    assert_eq!(mig.gpus[0].mig_enabled, Some(true));
    let profiles: Vec<&str> = mig.mig_devices[0]
        .mig_devices
        .iter()
        .map(|device| device.profile.as_str())
        .collect();
    assert_eq!(profiles, ["3g.40gb", "2g.20gb", "1g.10gb", "1g.10gb"]);
    assert_eq!(cycle.errors.len(), 1);
    let error = cycle.errors[0].to_string();
    assert!(
        error.starts_with(&format!(
            "telemetry[0] (nvidia-smi): {dir}/absent__query-gpu__load.csv: cannot read"
        )),
        "{error}"
    );
}

#[tokio::test]
async fn nvidia_smi_tables_are_read_with_their_listing() {
    let cycle = nvidia_smi_files(
        NvidiaSmiFormat::Table,
        "table__load.txt",
        &["h100", "h100-mig"],
    )
    .await;
    assert!(cycle.errors.is_empty(), "{:?}", cycle.errors);

    let uuid = Some("GPU-00000000-0000-0000-0000-000000000000".to_owned());
    let h100 = cycle.nodes[0].readings.as_ref().unwrap();
    let gpu = &h100.gpus[0];
    assert_eq!(
        (gpu.utilization, gpu.memory_used_mib, gpu.temperature_c),
        (1.0, 19818.0, 59.0)
    );
    assert_eq!(gpu.uuid, uuid, "from the listing");
    assert!(h100.mig_instances.is_empty());

    let mig = cycle.nodes[1].readings.as_ref().unwrap();
    assert!(mig.gpus[0].utilization.is_nan(), "N/A under MIG");
    assert_eq!(mig.gpus[0].mig_enabled, Some(true));
    assert!(mig.mig_instances.iter().all(|i| i.uuid == uuid));
    let instances: Vec<(&str, u32, f32)> = cycle.nodes[1].mig_samples()[0]
        .iter()
        .map(|i| (i.profile, i.instance_id, i.memory_used_mib))
        .collect();
    assert_eq!(
        instances,
        [
            ("3g.40gb", 2, 11091.0),
            ("2g.20gb", 3, 17.0),
            ("1g.10gb", 9, 9.0),
            ("1g.10gb", 10, 9.0)
        ]
    );
}

#[tokio::test]
async fn an_nvidia_smi_command_for_one_node() {
    let dir = nvidia_smi_fixtures();
    let config = |node: &str| {
        TelemetryConfig::NvidiaSmi(NvidiaSmiConfig {
            format: NvidiaSmiFormat::Csv,
            command: Some(vec![
                "cat".into(),
                format!("{dir}/h100__query-gpu__idle.csv"),
            ]),
            file: None,
            list_command: None,
            list_file: None,
            node: Some(node.into()),
            join: JoinBy::Hostname,
            timeout: Duration::from_secs(5),
            stale_after: Duration::from_secs(60),
        })
    };
    let nodes = fleet_nodes(2);
    let mut collector = TelemetryCollector::new(vec![config("ml-node-2"), config("gone")]).unwrap();
    let cycle = collector.collect(&nodes, T0).await;
    assert!(cycle.nodes[0].readings.is_none());
    let gpu = &cycle.nodes[1].readings.as_ref().unwrap().gpus[0];
    assert_eq!(
        (gpu.utilization, gpu.memory_total_mib, gpu.temperature_c),
        (0.0, 81559.0, 41.0)
    );
    assert_eq!(cycle.errors.len(), 1);
    assert!(
        cycle.errors[0]
            .to_string()
            .ends_with("no node of this cycle has host name `gone`")
    );
}
