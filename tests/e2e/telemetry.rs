//! GPU telemetry over the real scrape path: the simulated fleet's DCGM
//! exporters on 127.0.1.N, scraped over HTTP and parsed.

use std::time::Duration;

use fulcrum_host::model::{Code, Health};
use fulcrum_host::sim::{ExporterServers, Fleet, FleetConfig};
use fulcrum_host::sources::dcgm::{ScrapeError, scrape};

const TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn scraping_the_fleet_exporters_reads_back_the_fleet() {
    let mut fleet = Fleet::new(FleetConfig::default(), 1_767_225_600_000);
    let servers = ExporterServers::start(&fleet)
        .await
        .expect("exporters start");
    for _ in 0..9 {
        fleet.advance();
    }
    servers.publish(&fleet);
    let snapshot = fleet.snapshot(10);
    let client = reqwest::Client::new();
    for (node, url) in servers.urls().iter().enumerate() {
        assert!(
            url.starts_with(&format!("http://127.0.1.{}:", node + 1)),
            "{url}"
        );
        let scraped = scrape(&client, url, TIMEOUT)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(scraped.hostnames, vec![format!("ml-node-{}", node + 1)]);
        let rows = snapshot.node_gpus(node as u32);
        assert_eq!(scraped.gpus.len(), rows.len());
        for (reading, row) in scraped.gpus.iter().zip(rows) {
            assert_eq!(
                reading.health(),
                Health::from_code(snapshot.gpus.health[row])
            );
            if reading.health() == Health::Healthy {
                let utilization = f64::from(snapshot.gpus.utilization[row]);
                assert!((reading.utilization - utilization).abs() < 1e-6);
            }
        }
    }
    // ml-node-3's GPU 3 reports XID 79 in cycles 9 to 13.
    let node3 = scrape(&client, &servers.urls()[2], TIMEOUT).await.unwrap();
    assert_eq!(node3.gpus[3].last_xid, Some(79));
}

#[tokio::test]
async fn scrape_failures_name_the_url_and_the_reason() {
    let fleet = Fleet::new(FleetConfig::default(), 0);
    let servers = ExporterServers::start(&fleet).await.unwrap();
    let client = reqwest::Client::new();

    let wrong_path = servers.urls()[0].replace("/metrics", "/nope");
    match scrape(&client, &wrong_path, TIMEOUT).await {
        Err(ScrapeError::Status { url, status: 404 }) => assert_eq!(url, wrong_path),
        other => panic!("expected a 404, got {other:?}"),
    }

    // A listener that never answers: the scrape gives up at its timeout.
    let silent = std::net::TcpListener::bind("127.0.1.9:0").unwrap();
    let url = format!("http://{}/metrics", silent.local_addr().unwrap());
    let error = scrape(&client, &url, Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(error, ScrapeError::Timeout { .. }), "{error}");
    assert!(error.to_string().starts_with(&url), "{error}");

    // Nothing listening at all.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.1.9:0").unwrap();
        listener.local_addr().unwrap()
    };
    let url = format!("http://{closed}/metrics");
    let error = scrape(&client, &url, TIMEOUT).await.unwrap_err();
    assert!(matches!(error, ScrapeError::Request { .. }), "{error}");
}
