//! The per-cycle table `host run` prints: one line per pool member with its
//! node's GPU utilisation, memory and temperature, its state and ratio before
//! and after, and the policy's reason (with the guard rails that held the
//! change back, if any); one line per instance group with its size; then
//! what was rejected, applied or failed. Everything is written through
//! [`SafeText`], so no name, reason or error can break a line or drive the
//! terminal.

use std::fmt::Write;

use crate::engine::{CycleReport, RunOutcome};
use crate::error_chain::with_causes;
use crate::guard::Accepted;
use crate::model::{Action, Code, NONE, Snapshot};
use crate::observe::SafeText;
use crate::plan::{Change, PlannedChange};

/// Render one cycle; `world` is a line about the simulated world, if any.
pub(super) fn render(report: &CycleReport, world: Option<&str>) -> String {
    let s = &report.snapshot;
    let mut out = SafeText::new();
    let runs: Vec<String> = report
        .runs
        .iter()
        .map(|run| {
            let name = match run.shadow {
                true => format!("{} (shadow)", run.policy),
                false => run.policy.clone(),
            };
            match &run.outcome {
                RunOutcome::Evaluated(e) => {
                    format!("{name} {:.2} ms", e.elapsed.as_secs_f64() * 1e3)
                }
                RunOutcome::Failed(_) => {
                    format!("{name} FAILED {:.2} ms", run.held.as_secs_f64() * 1e3)
                }
                RunOutcome::NotDue => format!("{name} not due"),
                RunOutcome::Quarantined(_) => format!("{name} QUARANTINED"),
            }
        })
        .collect();
    out.end_line();
    out.line(format_args!(
        "cycle {}  {}{}",
        report.version,
        world.map(|w| format!("{w}  ")).unwrap_or_default(),
        runs.join("  ")
    ));
    if !s.members.pool.is_empty() {
        out.line(format_args!(
            "  {:<12} {:>5} {:>11} {:>5}  {:<17} {:<10} REASON",
            "NODE", "UTIL", "MEM GiB", "TEMP", "STATE", "RATIO"
        ));
        for member in 0..s.members.pool.len() {
            let line = member_line(s, member, &report.plan.changes);
            let held = guard_note(&report.accepted, |action| match action {
                Action::SetMemberRatio { member: m, .. }
                | Action::SetMemberState { member: m, .. } => *m as usize == member,
                _ => false,
            });
            out.line(format_args!("  {line}{held}"));
        }
    }
    for group in 0..s.instance_groups.name.len() {
        let line = group_line(s, group, &report.plan.changes);
        let held = guard_note(&report.accepted, |action| match action {
            Action::ResizeGroup { group: g, .. } | Action::SetCapacityScaler { group: g, .. } => {
                *g as usize == group
            }
            _ => false,
        });
        out.line(format_args!("  {line}{held}"));
    }
    for run in &report.runs {
        match &run.outcome {
            RunOutcome::Failed(error) => {
                out.line(format_args!("  {} failed: {error}", run.policy));
            }
            RunOutcome::Quarantined(reason) => {
                out.line(format_args!("  {} quarantined: {reason}", run.policy));
            }
            _ => {}
        }
        let dropped = run.dropped;
        if dropped.log_messages > 0 || dropped.truncated_texts > 0 {
            out.line(format_args!(
                "  {}: dropped {} log messages past the per-evaluation bound, cut {} texts to their cap",
                run.policy, dropped.log_messages, dropped.truncated_texts
            ));
        }
    }
    for rejection in &report.rejected {
        out.line(format_args!("  rejected: {rejection}"));
    }
    for shadow in &report.shadows {
        out.line(format_args!(
            "  shadow {}: {}",
            shadow.policy,
            shadow.summary()
        ));
        for change in &shadow.changes.only_candidate {
            out.line(format_args!("    + {change}"));
        }
        for change in &shadow.changes.only_live {
            out.line(format_args!("    - {change}"));
        }
    }
    for line in &report.mig_events {
        out.line(format_args!("  mig: {line}"));
    }
    for line in &report.reloads {
        out.line(format_args!("  reload: {line}"));
    }
    for error in &report.source_errors {
        out.line(format_args!("  source: {error}"));
    }
    let planned = report.plan.changes.len();
    let mut summary = match &report.applied {
        None if planned > 0 => format!("  {planned} changes planned, none applied (dry run)"),
        None => "  no changes".to_owned(),
        Some(results) => format!(
            "  {} of {planned} changes applied",
            results.iter().filter(|r| r.is_ok()).count()
        ),
    };
    if report.plan.unchanged > 0 {
        let _ = write!(summary, ", {} already in effect", report.plan.unchanged);
    }
    out.line(format_args!("{summary}"));
    if let Some(results) = &report.applied {
        for (planned, result) in report.plan.changes.iter().zip(results) {
            if let Err(error) = result {
                out.line(format_args!(
                    "  apply failed: {}: {}",
                    planned.change,
                    with_causes(error)
                ));
            }
        }
    }
    out.into_string()
}

fn member_line(s: &Snapshot, member: usize, changes: &[PlannedChange]) -> String {
    let node = s.members.node[member];
    let (name, util, mem, temp) = if node == NONE {
        (
            s.string(s.members.name[member]).to_owned(),
            "-".into(),
            "-".into(),
            "-".into(),
        )
    } else {
        let rows = s.node_gpus(node);
        let g = &s.gpus;
        let util = mean(&g.utilization[rows.clone()]);
        let used: f32 = g.memory_used_mib[rows.clone()]
            .iter()
            .filter(|v| !v.is_nan())
            .sum();
        let total: f32 = g.memory_total_mib[rows.clone()]
            .iter()
            .filter(|v| !v.is_nan())
            .sum();
        let temp = g.temperature_c[rows]
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .fold(f32::NAN, f32::max);
        (
            s.string(s.nodes.name[node as usize]).to_owned(),
            if util.is_nan() {
                "-".into()
            } else {
                format!("{:.0}%", util * 100.0)
            },
            format!("{:.0}/{:.0}", used / 1024.0, total / 1024.0),
            if temp.is_nan() {
                "-".into()
            } else {
                format!("{temp:.0}°C")
            },
        )
    };
    let pool = s.string(s.pools.name[s.members.pool[member] as usize]);
    let member_name = s.string(s.members.name[member]);
    let mine: Vec<&PlannedChange> = changes
        .iter()
        .filter(|c| match &c.change {
            Change::MemberRatio {
                pool: p, member: m, ..
            }
            | Change::MemberState {
                pool: p, member: m, ..
            } => p == pool && m == member_name,
            _ => false,
        })
        .collect();
    let mut state = s.member_state(member as u32).name().to_owned();
    let mut ratio = s.members.ratio[member].to_string();
    for planned in &mine {
        match &planned.change {
            Change::MemberRatio { to, .. } => ratio = format!("{ratio} → {to}"),
            Change::MemberState { to, .. } => state = format!("{state}→{to}"),
            _ => {}
        }
    }
    let reasons: Vec<&str> = mine.iter().map(|c| c.reason.as_str()).collect();
    let reason = if reasons.is_empty() {
        "-".to_owned()
    } else {
        reasons.join("; ")
    };
    format!("{name:<12} {util:>5} {mem:>11} {temp:>5}  {state:<17} {ratio:<10} {reason}")
}

fn group_line(s: &Snapshot, group: usize, changes: &[PlannedChange]) -> String {
    let g = &s.instance_groups;
    let name = s.string(g.name[group]);
    let instances = s
        .instances
        .group
        .iter()
        .filter(|&&r| r as usize == group)
        .count();
    let running = (0..s.instances.group.len())
        .filter(|&i| {
            s.instances.group[i] as usize == group
                && s.instances.status[i] == crate::model::InstanceStatus::Running.code()
        })
        .count();
    let mut size = g.target_size[group].to_string();
    let mut reason = "-".to_owned();
    for planned in changes {
        if let Change::GroupSize { group: n, to, .. } = &planned.change
            && n == name
        {
            size = format!("{size} → {to}");
            reason = planned.reason.to_string();
        }
    }
    format!("group {name}  size {size}  ({running} of {instances} instances running)  {reason}")
}

/// " (held back by step-limit)" when guard rails clamped an accepted action
/// that `targets` picks, so the reason's figure and the applied one can be
/// told apart; empty otherwise.
fn guard_note(accepted: &[Accepted], targets: impl Fn(&Action) -> bool) -> String {
    let mut rules: Vec<&str> = accepted
        .iter()
        .filter(|a| targets(&a.decision.action))
        .flat_map(|a| a.clamps.iter().map(|clamp| clamp.rule.name()))
        .collect();
    rules.dedup();
    if rules.is_empty() {
        String::new()
    } else {
        format!(" (held back by {})", rules.join(", "))
    }
}

fn mean(values: &[f32]) -> f32 {
    let (sum, n) = values
        .iter()
        .filter(|v| !v.is_nan())
        .fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 { f32::NAN } else { sum / n as f32 }
}
