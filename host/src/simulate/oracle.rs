//! The oracle a scaling policy is measured against: one that knows the load
//! in advance and, minute by minute, runs the smallest group that meets the
//! SLO — the first `n` slots, serving from the start of the minute (no boot
//! time), weighted by what each node can serve (each member's ratio in
//! proportion to its replicas' decode bandwidth), without faults.
//!
//! A size meets the SLO for minute `m` when, replaying the requests of the
//! last 30 s of minute `m − 1` (to warm it up) and of minute `m` on that many
//! nodes, at least the SLO's attainment of minute `m`'s requests get their
//! first token in time. Sizes are searched from the last minute's answer,
//! down while they still meet the SLO and up until one does: the load moves
//! little from one minute to the next, so that is a handful of trials a
//! minute. Minutes are independent, so the run is cut into stretches of
//! minutes searched on threads of their own, each starting from the group's
//! initial size; the answer does not depend on how many threads there are
//! (each minute's size is the smallest that meets the SLO, wherever the
//! search starts, as long as meeting it is monotonic in the size).

use super::batching::Job;
use super::fleet::{Fleet, member_name};
use super::metrics::Metrics;
use super::scenario::{GroupSpec, Scenario};

/// Seconds past the SLO after the measured minute a trial runs: by then
/// every request of the minute has its first token or has waited too long,
/// which is all that decides whether it met the SLO.
const MARGIN_S: f64 = 1.0;
/// Seconds of the minute before that warm the nodes up.
const WARM_UP_S: f64 = 30.0;

/// The oracle's group size each minute.
#[derive(Debug, Clone, PartialEq)]
pub struct Oracle {
    pub sizes: Vec<u32>,
    pub instance_hours: f64,
}

/// The oracle for `scenario`'s group over `jobs` (in arrival order), for
/// `duration_s`; nodes advance on up to `threads`.
pub fn oracle(
    scenario: &Scenario,
    group: &GroupSpec,
    jobs: &[Job],
    duration_s: f64,
    threads: usize,
) -> Oracle {
    let minutes = (duration_s / 60.0).ceil() as usize;
    let threads = threads.clamp(1, minutes.max(1));
    let stretch = minutes.div_ceil(threads).max(1);
    let starts: Vec<usize> = (0..minutes).step_by(stretch).collect();
    let sizes: Vec<u32> = std::thread::scope(|scope| {
        let running: Vec<_> = starts
            .iter()
            .map(|&first| {
                let last = (first + stretch).min(minutes);
                scope.spawn(move || search(scenario, group, jobs, first..last))
            })
            .collect();
        running
            .into_iter()
            .flat_map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let instance_s: f64 = sizes
        .iter()
        .enumerate()
        .map(|(m, &n)| f64::from(n) * (duration_s - 60.0 * m as f64).min(60.0))
        .sum();
    Oracle {
        sizes,
        instance_hours: instance_s / 3_600.0,
    }
}

/// The smallest size meeting the SLO in each of `minutes`, each search
/// starting from the last one's answer.
fn search(
    scenario: &Scenario,
    group: &GroupSpec,
    jobs: &[Job],
    minutes: std::ops::Range<usize>,
) -> Vec<u32> {
    let low = group.min.max(1);
    let mut size = group.initial.clamp(low, group.max);
    let mut sizes = Vec::with_capacity(minutes.len());
    for minute in minutes {
        let meets = |n: u32| meets_slo(scenario, n, jobs, minute);
        if meets(size) {
            while size > low && meets(size - 1) {
                size -= 1;
            }
        } else {
            while size < group.max {
                size += 1;
                if meets(size) {
                    break;
                }
            }
        }
        sizes.push(size);
    }
    sizes
}

/// Whether `nodes` nodes meet the SLO in `minute`.
fn meets_slo(scenario: &Scenario, nodes: u32, jobs: &[Job], minute: usize) -> bool {
    let minute_s = 60.0 * minute as f64;
    let from = jobs.partition_point(|j| j.arrival_s < minute_s - WARM_UP_S);
    let to = jobs.partition_point(|j| j.arrival_s < minute_s + 60.0);
    // The measured minute is replayed as the simulation's second minute.
    let offset = minute_s - 60.0;
    let shifted: Vec<Job> = jobs[from..to]
        .iter()
        .map(|j| Job::new(j.arrival_s - offset, j.prompt_tokens, j.output_tokens))
        .collect();
    let mut fleet = sized_fleet(scenario, nodes);
    let mut metrics = Metrics::new(scenario.slo.ttft_s);
    let horizon = 120.0 + scenario.slo.ttft_s + MARGIN_S;
    fleet.advance(0.0, horizon, &shifted, &mut metrics);
    fleet.finish(horizon, &mut metrics);
    metrics
        .minutes
        .get(1)
        .is_none_or(|m| m.attainment() >= scenario.slo.attainment)
}

/// The first `nodes` slots of `scenario`'s fleet, all serving, weighted by capacity.
fn sized_fleet(scenario: &Scenario, nodes: u32) -> Fleet {
    let mut sized = scenario.clone();
    sized.group = None;
    sized.faults.clear();
    let mut left = nodes;
    for class in &mut sized.fleet {
        class.count = class.count.min(left);
        left -= class.count;
    }
    sized.fleet.retain(|class| class.count > 0);
    let mut fleet = Fleet::new(&sized, 1);
    let capacity: Vec<f64> = fleet
        .slots
        .iter()
        .map(|slot| {
            let class = &fleet.classes[slot.class];
            let per_gpu: f64 = match &class.mig {
                Some(layout) => layout.iter().map(|m| m.replica.decode_bandwidth).sum(),
                None => class.replica.map_or(0.0, |r| r.decode_bandwidth),
            };
            per_gpu * f64::from(class.gpus)
        })
        .collect();
    let most = capacity.iter().copied().fold(0.0, f64::max);
    for (slot, cap) in capacity.iter().enumerate() {
        let ratio = ((100.0 * cap / most).round() as u32).clamp(1, 100);
        fleet.set_ratio(&member_name(slot), ratio);
    }
    fleet
}
