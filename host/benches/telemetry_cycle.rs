//! One telemetry cycle at scale: 1,000 simulated nodes × 8 GPUs, each node's
//! DCGM exporter served over loopback HTTP (one socket, one path per node),
//! scraped, parsed and joined by [`TelemetryCollector`]. Prints, per cycle,
//! the wall time, the CPU time of the collecting thread and the peak heap it
//! allocated; then the process's peak resident set.
//!
//! `cargo bench -p fulcrum-host --bench telemetry_cycle`
//!
//! The exporters run on a runtime of their own threads; the collector on a
//! current-thread runtime on the main thread, so the main thread's CPU time
//! (`getrusage(RUSAGE_THREAD)`) is the collector's alone. The counting
//! allocator (the `host` binary's, mimalloc, underneath) tracks bytes
//! allocated minus bytes freed on the main thread.

#![allow(
    unsafe_code,
    reason = "a counting global allocator wraps mimalloc, and getrusage reads the peak memory"
)]

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use mimalloc::MiMalloc;

use fulcrum_host::sim::{ExporterServers, Fleet, FleetConfig};
use fulcrum_host::sources::{
    DcgmConfig, JoinBy, NodeIdentity, TelemetryCollector, TelemetryConfig,
};

const NODES: usize = 1_000;
const GPUS_PER_NODE: usize = 8;
const CYCLES: usize = 5;

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

/// The `host` binary's allocator, counting the counted thread's live bytes and peak.
struct Counting;

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}

fn count(delta: isize) {
    // `try_with`: the flag may be gone while a thread shuts down.
    if COUNTED.try_with(Cell::get).unwrap_or(false) {
        let live = LIVE.fetch_add(delta, Ordering::Relaxed) + delta;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// CPU time (user + system) of the calling thread.
fn thread_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Peak resident set of the process (`VmHWM`), KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let config = FleetConfig {
        nodes: NODES,
        gpus_per_node: GPUS_PER_NODE,
        faults: Vec::new(),
        ..FleetConfig::default()
    };
    let mut fleet = Fleet::new(config, 1_767_225_600_000);
    for _ in 0..5 {
        fleet.advance();
    }
    let bytes: usize = (0..NODES)
        .filter_map(|n| fleet.dcgm_metrics(n))
        .map(|b| b.len())
        .sum();

    let servers_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime for the exporters");
    let servers = servers_runtime
        .block_on(ExporterServers::start_shared(&fleet))
        .expect("exporters start");
    let template = servers.shared_url_template().expect("a shared server");

    let nodes: Vec<NodeIdentity> = fleet
        .node_addresses()
        .into_iter()
        .enumerate()
        .map(|(n, address)| NodeIdentity {
            name: format!("ml-node-{}", n + 1),
            address,
            hostname: Some(format!("ml-node-{}", n + 1)),
        })
        .collect();
    let mut collector = TelemetryCollector::new(vec![TelemetryConfig::Dcgm(DcgmConfig {
        url: Some(template),
        urls: Vec::new(),
        join: JoinBy::Address,
        timeout: Duration::from_secs(10),
        stale_after: Duration::from_secs(90),
    })])
    .expect("a valid source");
    let collector_runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime for the collector");

    println!(
        "telemetry cycle: {NODES} nodes × {GPUS_PER_NODE} GPUs, {:.1} MB of scrapes per cycle",
        bytes as f64 / 1e6
    );
    let mut now_ms = 1_767_225_600_000;
    for cycle in 0..=CYCLES {
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        COUNTED.with(|counted| counted.set(true));
        let (wall, cpu) = (Instant::now(), thread_cpu());
        let telemetry = collector_runtime.block_on(collector.collect(&nodes, now_ms));
        let (cpu, wall) = (thread_cpu() - cpu, wall.elapsed());
        COUNTED.with(|counted| counted.set(false));
        let peak_mib = (PEAK.load(Ordering::Relaxed) - before) as f64 / (1024.0 * 1024.0);
        assert!(
            telemetry.errors.is_empty(),
            "{:?}",
            telemetry.errors.first()
        );
        let gpus: usize = telemetry
            .nodes
            .iter()
            .filter_map(|node| node.readings.as_ref())
            .map(|readings| readings.gpus.len())
            .sum();
        assert_eq!(gpus, NODES * GPUS_PER_NODE);
        let label = if cycle == 0 {
            "cold (connects)"
        } else {
            "warm"
        };
        println!(
            "  cycle {cycle} {label:>15}: wall {:>6.1} ms, collector CPU {:>6.1} ms, peak heap {:>5.1} MiB",
            wall.as_secs_f64() * 1e3,
            cpu.as_secs_f64() * 1e3,
            peak_mib,
        );
        drop(telemetry);
        now_ms += 15_000;
    }
    println!(
        "  process peak RSS (fleet and exporters included): {:.1} MiB",
        peak_rss_kib() as f64 / 1024.0
    );
    drop(servers);
}
