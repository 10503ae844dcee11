//! The scorecard: what one run did for the requests, what it cost, and how
//! much it changed the fleet to get there — the figures `host simulate`
//! prints side by side, and writes as JSON.
//!
//! - TTFT p50/p90/p99 and queueing delay p99, from histograms with 2 %
//!   buckets (`histogram`);
//! - SLO attainment: the share of requests whose first token came within the
//!   target (lost requests never do); SLO-violation minutes: minutes whose
//!   requests fell short of the scenario's attainment;
//! - goodput: requests served within the SLO, per second of the run;
//! - GPU-hours and instance-hours paid for (a group's instances from
//!   creation to deletion, drain included; a fixed fleet all the time);
//! - utilisation: the nodes' mean engine activity, and its spread across
//!   nodes (the standard deviation across serving nodes, averaged over cycles);
//! - BIG-IP writes (member ratio and state changes), resizes, flaps (resizes
//!   reversing the previous direction), guard rejections, failed policy turns.

use std::collections::BTreeMap;

use serde::Serialize;

use super::oracle::Oracle;
use super::run::RunOutcome;
use super::scenario::Slo;

/// One run's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scorecard {
    pub run: String,
    pub requests: u64,
    pub served: u64,
    pub failed: u64,
    pub unfinished: u64,
    pub ttft_p50_s: Option<f64>,
    pub ttft_p90_s: Option<f64>,
    pub ttft_p99_s: Option<f64>,
    pub queue_delay_p99_s: Option<f64>,
    pub slo_attainment: f64,
    pub slo_violation_minutes: u64,
    pub goodput_rps: f64,
    pub gpu_hours: f64,
    pub instance_hours: f64,
    pub utilization_mean: f64,
    pub utilization_spread: f64,
    pub bigip_writes: u64,
    pub resizes: u64,
    pub flaps: u64,
    pub guard_rejections: u64,
    /// Guard rejections by the rule that rejected them.
    pub rejections_by_rule: BTreeMap<String, u64>,
    pub policy_failures: u64,
    /// Minute by minute.
    pub minutes: Vec<MinuteFigures>,
}

/// One minute of a run: its requests (by arrival), and the group's target
/// size at the minute's first cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MinuteFigures {
    pub requests: u64,
    pub slo_attainment: f64,
    pub ttft_p99_s: Option<f64>,
    pub target_size: u32,
}

/// Every run of one simulation, with what they are measured against.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub scenario: String,
    pub seed: u64,
    pub duration_s: f64,
    pub slo_ttft_s: f64,
    pub slo_attainment: f64,
    /// Instance-hours of the oracle that knew the load (scenarios with a group).
    pub oracle_instance_hours: Option<f64>,
    /// The oracle's group size, minute by minute.
    pub oracle_sizes: Option<Vec<u32>>,
    pub runs: Vec<Scorecard>,
}

/// `x` to six decimals, so the JSON reads as figures rather than float noise.
fn six(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

impl Scorecard {
    pub fn of(run: &RunOutcome, slo: &Slo) -> Scorecard {
        let m = &run.metrics;
        let cycles = run.cycles.len().max(1) as f64;
        let quantile = |q: f64| m.ttft.quantile(q).map(six);
        Scorecard {
            run: run.label.clone(),
            requests: m.requests(),
            served: m.served,
            failed: m.failed,
            unfinished: m.unfinished,
            ttft_p50_s: quantile(0.5),
            ttft_p90_s: quantile(0.9),
            ttft_p99_s: quantile(0.99),
            queue_delay_p99_s: m.queue.quantile(0.99).map(six),
            slo_attainment: six(m.attainment()),
            slo_violation_minutes: m.violation_minutes(slo.attainment),
            goodput_rps: six(m.goodput as f64 / run.duration_s.max(1e-9)),
            gpu_hours: six(run.gpu_hours),
            instance_hours: six(run.instance_hours),
            utilization_mean: six(run.cycles.iter().map(|c| c.utilization.0).sum::<f64>() / cycles),
            utilization_spread: six(
                run.cycles.iter().map(|c| c.utilization.1).sum::<f64>() / cycles
            ),
            bigip_writes: run.counters.bigip_writes,
            resizes: run.counters.resizes,
            flaps: run.counters.flaps,
            guard_rejections: run.counters.guard_rejections,
            rejections_by_rule: run
                .counters
                .rejections_by_rule
                .iter()
                .map(|(rule, n)| ((*rule).to_owned(), *n))
                .collect(),
            policy_failures: run.counters.policy_failures,
            minutes: m
                .minutes
                .iter()
                .enumerate()
                .map(|(i, minute)| MinuteFigures {
                    requests: minute.arrivals,
                    slo_attainment: six(minute.attainment()),
                    ttft_p99_s: minute.ttft.quantile(0.99).map(six),
                    target_size: run
                        .cycles
                        .iter()
                        .find(|c| c.t_s >= 60.0 * i as f64)
                        .map_or(0, |c| c.target),
                })
                .collect(),
        }
    }
}

impl Report {
    pub fn new(
        scenario: &str,
        seed: u64,
        slo: &Slo,
        oracle: Option<&Oracle>,
        runs: &[RunOutcome],
    ) -> Report {
        Report {
            scenario: scenario.to_owned(),
            seed,
            duration_s: runs.first().map_or(0.0, |r| r.duration_s),
            slo_ttft_s: slo.ttft_s,
            slo_attainment: slo.attainment,
            oracle_instance_hours: oracle.map(|o| six(o.instance_hours)),
            oracle_sizes: oracle.map(|o| o.sizes.clone()),
            runs: runs.iter().map(|run| Scorecard::of(run, slo)).collect(),
        }
    }
}
