//! One run of a scenario: the seed's static setup, or a set of policies.
//! Cycle by cycle in virtual time: what is due happens (faults, boots), the
//! fleet is observed, the policies decide through the host's path and what
//! the plan changes is applied to the pool and the group; then the fleet
//! advances to the next cycle, requests arriving as the load says.
//!
//! Nothing reads the wall clock and nothing iterates a hash map: the same
//! scenario, load and seed give the same run, bit for bit.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::batching::Job;
use super::control::Controller;
use super::fleet::Fleet;
use super::load::Arrivals;
use super::metrics::Metrics;
use super::scenario::Scenario;
use super::telemetry::{self, Demand};
use crate::model::{Code, MemberState};
use crate::plan::Change;
use crate::sources::NodeReadings;

/// Virtual time 0: the start of the shared trace, 2023-11-16 18:15:00 UTC,
/// in ms since the Unix epoch.
pub const START_MS: u64 = 1_700_158_500_000;

/// What the policies' plans did to the fleet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Member ratio and state changes written to the pool.
    pub bigip_writes: u64,
    pub resizes: u64,
    /// Resizes in the other direction from the one before.
    pub flaps: u64,
    pub guard_rejections: u64,
    /// Rejections by the guard's rule.
    pub rejections_by_rule: BTreeMap<&'static str, u64>,
    pub policy_failures: u64,
    /// The first few failures, with why.
    pub failure_samples: Vec<String>,
    /// Planned changes the simulation does not model (capacity scalers, MIG layouts).
    pub unmodelled: u64,
}

/// One cycle, as the charts show it.
#[derive(Debug, Clone, PartialEq)]
pub struct CycleRow {
    pub t_s: f64,
    pub demand: Demand,
    /// The group's target size (the fleet's size without a group).
    pub target: u32,
    pub serving: u32,
    /// Every slot's member ratio after the cycle's changes; 0 when it is no member.
    pub ratios: Vec<u32>,
    /// Mean engine activity over serving nodes, and its standard deviation.
    pub utilization: (f64, f64),
}

/// Everything one run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub label: String,
    pub metrics: Metrics,
    pub counters: Counters,
    pub cycles: Vec<CycleRow>,
    pub instance_hours: f64,
    pub gpu_hours: f64,
    pub duration_s: f64,
}

/// How many failures a run keeps the words of.
const FAILURE_SAMPLES: usize = 5;

/// Run `scenario` for `duration_s` with `arrivals`, decided by `controller`
/// (the seed's static setup when `None`); nodes advance on up to `threads`.
pub fn run(
    label: String,
    scenario: &Scenario,
    mut arrivals: Arrivals,
    duration_s: f64,
    mut controller: Option<Controller>,
    threads: usize,
) -> RunOutcome {
    let mut fleet = Fleet::new(scenario, threads);
    let mut metrics = Metrics::new(scenario.slo.ttft_s);
    let mut counters = Counters::default();
    let mut cycles = Vec::new();
    let mut last: Vec<(Option<Arc<NodeReadings>>, u64)> = vec![(None, 0); fleet.slots.len()];
    let mut jobs: Vec<Job> = Vec::new();
    let mut last_direction = 0i8;
    let mut arrived = 0;
    let mut t = 0.0;
    let mut version = 0;
    loop {
        fleet.change(t, &mut metrics);
        if t >= duration_s {
            break;
        }
        let now_ms = START_MS + (t * 1_000.0).round() as u64;
        let observed = telemetry::observe(&mut fleet, t, now_ms, arrived, scenario.cycle_s);
        if let Some(controller) = &mut controller {
            version += 1;
            let cycle = telemetry::Cycle {
                version,
                now_s: t,
                now_ms,
                cycle_s: scenario.cycle_s,
            };
            let snapshot =
                telemetry::snapshot(&fleet, &observed, &mut last, &scenario.pool.name, cycle);
            let decided = controller.decide(&snapshot);
            counters.guard_rejections += decided.rejected.len() as u64;
            for rule in decided.rejected {
                *counters.rejections_by_rule.entry(rule).or_default() += 1;
            }
            counters.policy_failures += decided.failures.len() as u64;
            let room = FAILURE_SAMPLES.saturating_sub(counters.failure_samples.len());
            counters
                .failure_samples
                .extend(decided.failures.into_iter().take(room));
            for planned in &decided.plan.changes {
                apply(
                    &mut fleet,
                    &planned.change,
                    t,
                    &mut counters,
                    &mut last_direction,
                );
            }
        }
        let (target, serving) = match &fleet.group {
            Some(group) => (group.target, fleet.sizes().1),
            None => (fleet.slots.len() as u32, fleet.sizes().1),
        };
        cycles.push(CycleRow {
            t_s: t,
            demand: observed.demand,
            target,
            serving,
            ratios: fleet
                .slots
                .iter()
                .map(|s| s.member.map_or(0, |m| m.ratio))
                .collect(),
            utilization: spread(&observed.utilization),
        });
        let cycle_end = (t + scenario.cycle_s).min(duration_s);
        arrived = 0;
        let mut from = t;
        while from < cycle_end {
            let to = fleet.next_change(from).min(cycle_end);
            jobs.clear();
            arrivals.take_until(to, &mut jobs);
            arrived += jobs.len();
            fleet.advance(from, to, &jobs, &mut metrics);
            if to < cycle_end {
                fleet.change(to, &mut metrics);
            }
            from = to;
        }
        t = cycle_end;
    }
    fleet.finish(duration_s, &mut metrics);
    RunOutcome {
        label,
        metrics,
        counters,
        cycles,
        instance_hours: fleet.instance_s / 3_600.0,
        gpu_hours: fleet.gpu_s / 3_600.0,
        duration_s,
    }
}

/// Carry out one planned change on the simulated pool or group.
fn apply(
    fleet: &mut Fleet,
    change: &Change,
    now_s: f64,
    counters: &mut Counters,
    last_direction: &mut i8,
) {
    match change {
        Change::MemberRatio { member, to, .. } => {
            counters.bigip_writes += u64::from(fleet.set_ratio(member, *to));
        }
        Change::MemberState { member, to, .. } => {
            let state = MemberState::from_name(to).unwrap_or(MemberState::ForcedOffline);
            counters.bigip_writes += u64::from(fleet.set_state(member, state));
        }
        Change::GroupSize { from, to, .. } => {
            if fleet.resize(*to, now_s) {
                counters.resizes += 1;
                let direction = if to > from { 1 } else { -1 };
                if *last_direction != 0 && direction != *last_direction {
                    counters.flaps += 1;
                }
                *last_direction = direction;
            }
        }
        Change::CapacityScaler { .. } | Change::MigLayout { .. } => counters.unmodelled += 1,
    }
}

/// Mean and standard deviation of the nodes' utilisation.
fn spread(utilization: &[(usize, f64)]) -> (f64, f64) {
    if utilization.is_empty() {
        return (0.0, 0.0);
    }
    let n = utilization.len() as f64;
    let mean = utilization.iter().map(|(_, u)| u).sum::<f64>() / n;
    let variance = utilization
        .iter()
        .map(|(_, u)| (u - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, variance.sqrt())
}
