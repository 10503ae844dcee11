//! The node as a queue: with one request per replica at a time, Poisson
//! arrivals and known service times, the waiting times it produces are the
//! analytic ones (Erlang C for M/M/c, Pollaczek–Khinchine for M/D/1).

use super::*;
use crate::simulate::gpu::GpuKind;
use crate::simulate::load::{Arrivals, Synthetic, Tokens};
use crate::simulate::replica::{ReplicaSpec, ServedModel};

/// Records each request's wait for a replica, and losses.
#[derive(Default)]
struct Waits {
    waits: Vec<f64>,
    served: usize,
    failed: usize,
}

impl Sink for Waits {
    fn served(&mut self, job: &Job, _at_s: f64) {
        self.waits.push(job.admitted_s - job.arrival_s);
        self.served += 1;
    }
    fn failed(&mut self, _job: &Job) {
        self.failed += 1;
    }
}

/// A replica that serves one request at a time, prefill only: a request of
/// `n` prompt tokens takes n / 10,000 s.
fn one_at_a_time() -> ReplicaSpec {
    ReplicaSpec {
        prefill_tokens_per_s: 10_000.0,
        kv_tokens: 1 << 40,
        max_batch: 1,
        ..ReplicaSpec::new(&ServedModel::default(), GpuKind::H100, 1.0, 1.0).unwrap()
    }
}

fn class(gpus: u32) -> NodeClass {
    NodeClass {
        count: 1,
        gpu: GpuKind::H100,
        gpus,
        cooling: Cooling::Normal,
        mig: None,
        replica: Some(one_at_a_time()),
    }
}

/// Mean wait of `requests` Poisson arrivals at `rate` on `servers` replicas,
/// prompts of `tokens`, after a warm-up of a tenth.
fn mean_wait(servers: u32, rate: f64, tokens: Tokens, requests: usize) -> f64 {
    let process = Synthetic {
        rate_rps: rate,
        amplitude: 0.0,
        period_s: 86_400.0,
        peak_s: 0.0,
        bursts: Vec::new(),
        prompt: tokens,
        output: Tokens::Fixed(1),
    };
    let horizon = requests as f64 / rate;
    let mut jobs = Vec::new();
    Arrivals::synthetic(process, 42).take_until(horizon, &mut jobs);
    let mut node = Node::new(&class(servers), 0.0, 5.0);
    let mut waits = Waits::default();
    node.advance(horizon * 2.0, &jobs, &mut waits);
    assert_eq!((waits.served, waits.failed), (jobs.len(), 0));
    let kept = &waits.waits[waits.waits.len() / 10..];
    kept.iter().sum::<f64>() / kept.len() as f64
}

/// Erlang C: the mean wait in an M/M/c queue.
fn erlang_c_wait(servers: u32, rate: f64, service_s: f64) -> f64 {
    let a = rate * service_s;
    let c = f64::from(servers);
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..servers {
        sum += term;
        term *= a / f64::from(k + 1);
    }
    let tail = term * c / (c - a);
    let waits = tail / (sum + tail);
    waits / (c / service_s - rate)
}

#[test]
fn exponential_service_on_four_replicas_waits_as_m_m_c() {
    // 1 s mean service, ρ = 0.8.
    let simulated = mean_wait(4, 3.2, Tokens::Exponential(10_000.0), 400_000);
    let analytic = erlang_c_wait(4, 3.2, 1.0);
    assert!((analytic - 0.7455).abs() < 1e-3, "{analytic}");
    let error = (simulated / analytic - 1.0).abs();
    assert!(
        error < 0.04,
        "simulated {simulated:.4} s, Erlang C {analytic:.4} s"
    );
}

#[test]
fn fixed_service_on_one_replica_waits_as_m_d_1() {
    // 1 s fixed service, ρ = 0.7: Pollaczek–Khinchine gives ρ / (2μ(1 − ρ)).
    let simulated = mean_wait(1, 0.7, Tokens::Fixed(10_000), 200_000);
    let analytic = 0.7 / (2.0 * (1.0 - 0.7));
    let error = (simulated / analytic - 1.0).abs();
    assert!(
        error < 0.04,
        "simulated {simulated:.4} s, M/D/1 {analytic:.4} s"
    );
}

#[derive(Default)]
struct Count {
    served: usize,
    failed: usize,
    ttft: Vec<f64>,
}

impl Sink for Count {
    fn served(&mut self, job: &Job, _at_s: f64) {
        self.served += 1;
        self.ttft.push(job.first_token_s - job.arrival_s);
    }
    fn failed(&mut self, _job: &Job) {
        self.failed += 1;
    }
}

fn h100_node(gpus: u32, cooling: Cooling) -> Node {
    let class = NodeClass {
        count: 1,
        gpu: GpuKind::H100,
        gpus,
        cooling,
        mig: None,
        replica: ReplicaSpec::new(&ServedModel::default(), GpuKind::H100, 1.0, 1.0),
    };
    Node::new(&class, 0.0, 1.0)
}

fn steady(rate: f64, until: f64) -> Vec<Job> {
    let n = (rate * until) as usize;
    (0..n)
        .map(|i| Job::new(i as f64 / rate, 1_000, 200))
        .collect()
}

#[test]
fn a_fatal_xid_loses_one_gpus_work_and_the_others_carry_on() {
    let mut node = h100_node(2, Cooling::Normal);
    let mut count = Count::default();
    let jobs = steady(4.0, 20.0);
    node.advance(10.0, &jobs[..40], &mut count);
    node.xid(10.0, 1, 79, true, &mut count);
    assert!(count.failed > 0, "the GPU held work");
    assert!(node.replicas[1].next_event_s().is_infinite());
    let failed = count.failed;
    node.advance(100.0, &jobs[40..], &mut count);
    assert_eq!(count.failed, failed, "GPU 0 serves what comes after");
    assert_eq!(count.served + count.failed, jobs.len());
    node.reset(100.0, 1, &mut count);
    assert!(node.replicas[1].alive());
}

#[test]
fn a_lost_node_loses_everything_held_and_all_that_arrives() {
    let mut node = h100_node(2, Cooling::Normal);
    let mut count = Count::default();
    let jobs = steady(4.0, 20.0);
    node.advance(10.0, &jobs[..40], &mut count);
    node.lose(10.0, &mut count);
    node.advance(100.0, &jobs[40..], &mut count);
    assert_eq!(count.served + count.failed, jobs.len());
    assert_eq!(node.outstanding(), 0);
    assert!(node.lost());
}

#[test]
fn a_badly_cooled_node_throttles_and_serves_slower() {
    let jobs = steady(6.0, 600.0);
    let mut normal = Count::default();
    let mut hot = Count::default();
    let mut cool_node = h100_node(1, Cooling::Normal);
    let mut hot_node = h100_node(1, Cooling::Poor);
    cool_node.advance(600.0, &jobs, &mut normal);
    hot_node.advance(600.0, &jobs, &mut hot);
    assert!(hot_node.gpus[0].thermal.throttled());
    assert!(!cool_node.gpus[0].thermal.throttled());
    cool_node.advance(2_000.0, &[], &mut normal);
    hot_node.advance(2_000.0, &[], &mut hot);
    let mean = |c: &Count| c.ttft.iter().sum::<f64>() / c.ttft.len() as f64;
    assert!(
        mean(&hot) > mean(&normal),
        "{} vs {}",
        mean(&hot),
        mean(&normal)
    );
    node_reads_busy_shares(&mut cool_node);
}

fn node_reads_busy_shares(node: &mut Node) {
    node.read_busy(2_000.0);
    let busy = node.gpus[0].busy[0];
    assert!((0.0..=1.0).contains(&busy));
}
