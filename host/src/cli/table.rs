//! The per-cycle table `host run` prints: one line per node with its GPUs'
//! utilisation, memory and temperature, its member's ratio before and after,
//! and the policy's reason.

use std::fmt::Write;

use crate::cycle::{Change, CycleReport};
use crate::model::{Action, Code, NONE, Snapshot};

/// Render one cycle.
pub(super) fn render(report: &CycleReport, offered_rps: f64) -> String {
    let s = &report.snapshot;
    let mut out = String::new();
    let timings: Vec<String> = report
        .outcomes
        .iter()
        .map(|o| match &o.result {
            Ok(evaluation) => format!(
                "{} {:.2} ms",
                o.policy,
                evaluation.elapsed.as_secs_f64() * 1e3
            ),
            Err(error) => format!("{} FAILED ({})", o.policy, error.kind()),
        })
        .collect();
    let _ = writeln!(
        out,
        "\ncycle {}  load {offered_rps:.0} req/s  {}",
        s.version,
        timings.join("  ")
    );
    let _ = writeln!(
        out,
        "  {:<12} {:>5} {:>11} {:>5}  {:<17} {:<10} REASON",
        "NODE", "UTIL", "MEM GiB", "TEMP", "STATE", "RATIO"
    );
    for member in 0..s.members.pool.len() {
        let _ = writeln!(out, "  {}", member_line(s, member, &report.changes));
    }
    for outcome in &report.outcomes {
        if let Err(error) = &outcome.result {
            let _ = writeln!(out, "  {} failed: {error}", outcome.policy);
        }
    }
    let applied = report
        .changes
        .iter()
        .filter(|c| matches!(c.applied, Some(Ok(()))))
        .count();
    let failed: Vec<String> = report
        .changes
        .iter()
        .filter_map(|c| match &c.applied {
            Some(Err(error)) => Some(error.clone()),
            _ => None,
        })
        .collect();
    let planned = report.changes.len();
    let mut summary = if report.changes.iter().all(|c| c.applied.is_none()) && planned > 0 {
        format!("  {planned} changes planned, none applied (dry run)")
    } else {
        format!("  {applied} of {planned} changes applied")
    };
    if report.unchanged > 0 {
        let _ = write!(summary, ", {} already in effect", report.unchanged);
    }
    if report.superseded > 0 {
        let _ = write!(
            summary,
            ", {} superseded by a higher-priority policy",
            report.superseded
        );
    }
    let _ = writeln!(out, "{summary}");
    for error in failed {
        let _ = writeln!(out, "  apply failed: {error}");
    }
    out
}

fn member_line(s: &Snapshot, member: usize, changes: &[Change]) -> String {
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
        let total: f32 = g.memory_total_mib[rows.clone()].iter().sum();
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
    let mine: Vec<&Change> = changes
        .iter()
        .filter(|c| targets_member(&c.decision.action, member))
        .collect();
    let ratio_now = s.members.ratio[member];
    let new_ratio = mine.iter().find_map(|c| match c.decision.action {
        Action::SetMemberRatio { ratio, .. } => Some(ratio),
        _ => None,
    });
    let new_state = mine.iter().find_map(|c| match c.decision.action {
        Action::SetMemberState { state, .. } => Some(state),
        _ => None,
    });
    let state_now = s.member_state(member as u32);
    let state = match new_state {
        Some(new) => format!("{}→{}", state_now.name(), new.name()),
        None => state_now.name().to_owned(),
    };
    let ratio = match new_ratio {
        Some(new) => format!("{ratio_now} → {new}"),
        None => format!("{ratio_now}"),
    };
    let reasons: Vec<&str> = mine.iter().map(|c| c.decision.reason.as_str()).collect();
    let reason = if reasons.is_empty() {
        "-".to_owned()
    } else {
        reasons.join("; ")
    };
    format!("{name:<12} {util:>5} {mem:>11} {temp:>5}  {state:<17} {ratio:<10} {reason}")
}

fn targets_member(action: &Action, member: usize) -> bool {
    matches!(*action,
        Action::SetMemberRatio { member: m, .. } | Action::SetMemberState { member: m, .. } if m as usize == member)
}

fn mean(values: &[f32]) -> f32 {
    let (sum, n) = values
        .iter()
        .filter(|v| !v.is_nan())
        .fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    if n == 0 { f32::NAN } else { sum / n as f32 }
}
