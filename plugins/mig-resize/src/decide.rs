//! One cycle's choice: read demand and supply, find the GPUs that may be
//! changed, and pick layouts greedily, the change that closes most of the
//! shortfall first.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use fulcrum_sdk::{Decision, GpuView, Health, Host, Level, ProfileCount, SnapshotView, actions};

use crate::settings::Settings;
use fulcrum_mig::{GpuModel, Profile, layouts};

/// The label the GPU Operator's MIG manager reports progress in.
const STATE_LABEL: &str = "nvidia.com/mig.config.state";

/// Instances per profile name.
type Counts = BTreeMap<String, u32>;

/// A GPU the policy may reconfigure.
struct Candidate<'a> {
    gpu: GpuView<'a>,
    model: GpuModel,
    current: Counts,
}

/// A chosen change.
struct Change<'a> {
    candidate: &'a Candidate<'a>,
    layout: Counts,
}

/// The decisions for `snapshot`.
pub fn decide(
    settings: &Settings,
    snapshot: &SnapshotView<'_>,
    host: &mut dyn Host,
) -> Vec<Decision> {
    let demand = demand(settings, snapshot, host);
    if demand.is_empty() {
        return Vec::new();
    }
    let mut supply = supply(snapshot);
    let shortfall_before = shortfall(&demand, &supply);
    if shortfall_before == 0 {
        return Vec::new();
    }
    let candidates: Vec<Candidate<'_>> = snapshot
        .gpus()
        .filter_map(|gpu| candidate(settings, gpu))
        .collect();
    let tables: BTreeMap<GpuModel, Vec<Counts>> = candidates
        .iter()
        .map(|c| {
            (
                c.model,
                layouts(c.model).iter().map(|l| counts(l)).collect(),
            )
        })
        .collect();
    let mut changes: Vec<Change<'_>> = Vec::new();
    while changes.len() < settings.max_gpus_per_cycle as usize {
        let Some(change) = best_change(&candidates, &changes, &tables, &demand, &supply) else {
            break;
        };
        subtract(&mut supply, &change.candidate.current);
        add(&mut supply, &change.layout);
        changes.push(change);
    }
    let shortfall_after = shortfall(&demand, &supply);
    changes
        .iter()
        .map(|change| {
            let gpu = change.candidate.gpu;
            let reason = format!(
                "{} GPU {} ({}, activity {:.0}%, idle): {} → {}; demand {}; missing instances {} → {}",
                gpu.node().name(),
                gpu.index(),
                change.candidate.model,
                gpu.utilization() * 100.0,
                describe(&change.candidate.current),
                describe(&change.layout),
                describe_demand(&demand),
                shortfall_before,
                shortfall_after,
            );
            let profiles = change
                .layout
                .iter()
                .map(|(profile, &count)| ProfileCount {
                    profile: profile.clone(),
                    count,
                })
                .collect();
            actions::set_mig_layout(gpu.node().row(), vec![gpu.row()], profiles, reason)
        })
        .collect()
}

/// Demand per profile from the signals under the prefix.
fn demand(settings: &Settings, snapshot: &SnapshotView<'_>, host: &mut dyn Host) -> Counts {
    let mut demand = Counts::new();
    for (name, value) in snapshot.signals() {
        let Some(profile) = name.strip_prefix(settings.signal_prefix.as_str()) else {
            continue;
        };
        if !value.is_finite() || value < 0.0 {
            host.log(
                Level::Warn,
                &format!("signal {name}: {value} is not a count of instances; ignored"),
            );
            continue;
        }
        if !GpuModel::ALL.iter().any(|m| m.profile(profile).is_some()) {
            host.log(
                Level::Warn,
                &format!("signal {name}: no GPU model has a MIG profile \"{profile}\"; ignored"),
            );
            continue;
        }
        demand.insert(
            profile.to_owned(),
            value.ceil().min(f64::from(u32::MAX)) as u32,
        );
    }
    demand
}

/// Every MIG instance on a MIG-enabled GPU, per profile.
fn supply(snapshot: &SnapshotView<'_>) -> Counts {
    let mut supply = Counts::new();
    for gpu in snapshot.gpus().filter(|g| g.mig_enabled()) {
        add(&mut supply, &current(gpu));
    }
    supply
}

fn current(gpu: GpuView<'_>) -> Counts {
    let mut counts = Counts::new();
    if gpu.mig_enabled() {
        for instance in gpu.mig_instances() {
            *counts.entry(instance.profile().to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// `gpu`, if it may be reconfigured now.
fn candidate<'a>(settings: &Settings, gpu: GpuView<'a>) -> Option<Candidate<'a>> {
    let node = gpu.node();
    let reconfiguring = matches!(node.label(STATE_LABEL), Some("pending" | "rebooting"));
    if node.stale() || node.health() != Health::Healthy || reconfiguring {
        return None;
    }
    if gpu.health() != Health::Healthy {
        return None;
    }
    let model = GpuModel::from_name(gpu.model())?;
    let idle = |activity: f32| activity.is_finite() && activity <= settings.busy_threshold;
    let instances_idle = gpu.mig_instances().all(|i| idle(i.utilization()));
    let gpu_idle = idle(gpu.utilization())
        || (gpu.utilization().is_nan() && gpu.mig_enabled() && gpu.mig_instances().len() > 0);
    if !(gpu_idle && instances_idle) {
        return None;
    }
    Some(Candidate {
        gpu,
        model,
        current: current(gpu),
    })
}

/// How a candidate layout ranks, best first by: demand shortfall removed,
/// instances kept, fewest instances nobody asked for, memory slices used.
type Preference = (u32, u32, Reverse<u32>, u32);

/// The change (GPU, layout) that closes most of the shortfall, if any does.
fn best_change<'a>(
    candidates: &'a [Candidate<'a>],
    chosen: &[Change<'a>],
    tables: &BTreeMap<GpuModel, Vec<Counts>>,
    demand: &Counts,
    supply: &Counts,
) -> Option<Change<'a>> {
    let before = shortfall(demand, supply);
    let mut best: Option<(Preference, Change<'a>)> = None;
    for candidate in candidates {
        if chosen
            .iter()
            .any(|c| c.candidate.gpu.row() == candidate.gpu.row())
        {
            continue;
        }
        let mut without = supply.clone();
        subtract(&mut without, &candidate.current);
        for layout in &tables[&candidate.model] {
            if *layout == candidate.current {
                continue;
            }
            let mut after = without.clone();
            add(&mut after, layout);
            let gain = before.saturating_sub(shortfall(demand, &after));
            if gain == 0 {
                continue;
            }
            let kept: u32 = layout
                .iter()
                .map(|(p, &n)| n.min(candidate.current.get(p).copied().unwrap_or(0)))
                .sum();
            let undemanded: u32 = layout
                .iter()
                .filter(|&(p, _)| !demand.contains_key(p))
                .map(|(_, &n)| n)
                .sum();
            let key = (
                gain,
                kept,
                Reverse(undemanded),
                memory_slices(candidate.model, layout),
            );
            if best.as_ref().is_none_or(|(k, _)| key > *k) {
                best = Some((
                    key,
                    Change {
                        candidate,
                        layout: layout.clone(),
                    },
                ));
            }
        }
    }
    best.map(|(_, change)| change)
}

/// Instances demanded and not supplied, summed over profiles.
fn shortfall(demand: &Counts, supply: &Counts) -> u32 {
    demand
        .iter()
        .map(|(p, &want)| want.saturating_sub(supply.get(p).copied().unwrap_or(0)))
        .sum()
}

fn memory_slices(model: GpuModel, layout: &Counts) -> u32 {
    layout
        .iter()
        .filter_map(|(p, &n)| {
            model
                .profile(p)
                .map(|p| n * u32::from(p.class.memory_slices()))
        })
        .sum()
}

fn counts(layout: &[(Profile, u32)]) -> Counts {
    layout
        .iter()
        .map(|&(profile, count)| (profile.name.to_owned(), count))
        .collect()
}

fn add(total: &mut Counts, part: &Counts) {
    for (profile, &count) in part {
        *total.entry(profile.clone()).or_insert(0) += count;
    }
}

fn subtract(total: &mut Counts, part: &Counts) {
    for (profile, &count) in part {
        if let Some(have) = total.get_mut(profile) {
            *have = have.saturating_sub(count);
        }
    }
}

fn describe(layout: &Counts) -> String {
    if layout.is_empty() {
        return "no instances".to_owned();
    }
    let parts: Vec<String> = layout.iter().map(|(p, n)| format!("{n}×{p}")).collect();
    parts.join(" + ")
}

fn describe_demand(demand: &Counts) -> String {
    let parts: Vec<String> = demand.iter().map(|(p, n)| format!("{p} {n}")).collect();
    parts.join(", ")
}
