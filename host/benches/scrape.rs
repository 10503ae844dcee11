//! Cost of reading a cycle's GPU telemetry: parsing every node's DCGM
//! exporter scrape (as the simulated fleet renders it) into readings.
//!
//! `cargo bench -p fulcrum-host --bench scrape`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fulcrum_host::sim::{Fleet, FleetConfig};
use fulcrum_host::sources::dcgm::parse_scrape;

fn scrape(c: &mut Criterion) {
    let mut group = c.benchmark_group("scrape");
    for nodes in [100, 1_000] {
        let config = FleetConfig {
            nodes,
            gpus_per_node: 8,
            faults: Vec::new(),
            ..FleetConfig::default()
        };
        let mut fleet = Fleet::new(config, 1_767_225_600_000);
        for _ in 0..5 {
            fleet.advance();
        }
        let bodies: Vec<String> = (0..nodes).filter_map(|n| fleet.dcgm_metrics(n)).collect();
        let bytes: usize = bodies.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_with_input(BenchmarkId::new("parse", nodes), &bodies, |b, bodies| {
            b.iter(|| {
                bodies
                    .iter()
                    .map(|body| parse_scrape("bench", body).expect("parses").gpus.len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, scrape);
criterion_main!(benches);
