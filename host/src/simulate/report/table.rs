//! The scorecards side by side: one row per figure, one column per run, and
//! the oracle's instance-hours beneath when the scenario has a group.

use std::fmt::Write;

use crate::observe::neutralize;
use crate::simulate::scorecard::{Report, Scorecard};

/// A row: its label and how it reads off a scorecard.
pub(super) type Row = (&'static str, fn(&Scorecard) -> String);

fn seconds(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |s| format!("{s:.3}"))
}

/// Every row of the scorecard, in order.
pub(super) const ROWS: &[Row] = &[
    ("requests", |s| s.requests.to_string()),
    ("served", |s| s.served.to_string()),
    ("failed", |s| s.failed.to_string()),
    ("TTFT p50 (s)", |s| seconds(s.ttft_p50_s)),
    ("TTFT p90 (s)", |s| seconds(s.ttft_p90_s)),
    ("TTFT p99 (s)", |s| seconds(s.ttft_p99_s)),
    ("queueing delay p99 (s)", |s| seconds(s.queue_delay_p99_s)),
    ("SLO attainment", |s| {
        format!("{:.2} %", s.slo_attainment * 100.0)
    }),
    ("SLO-violation minutes", |s| {
        s.slo_violation_minutes.to_string()
    }),
    ("goodput (req/s)", |s| format!("{:.2}", s.goodput_rps)),
    ("GPU-hours", |s| format!("{:.1}", s.gpu_hours)),
    ("instance-hours", |s| format!("{:.2}", s.instance_hours)),
    ("utilisation mean", |s| {
        format!("{:.1} %", s.utilization_mean * 100.0)
    }),
    ("utilisation spread (sd)", |s| {
        format!("{:.1} %", s.utilization_spread * 100.0)
    }),
    ("BIG-IP writes", |s| s.bigip_writes.to_string()),
    ("resizes", |s| s.resizes.to_string()),
    ("flaps", |s| s.flaps.to_string()),
    ("guard rejections", |s| {
        let rules: Vec<String> = s
            .rejections_by_rule
            .iter()
            .map(|(rule, n)| format!("{n} {rule}"))
            .collect();
        if rules.is_empty() {
            s.guard_rejections.to_string()
        } else {
            format!("{} ({})", s.guard_rejections, rules.join(", "))
        }
    }),
    ("policy failures", |s| s.policy_failures.to_string()),
];

/// The report as a table for a terminal.
pub fn table(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario {}  seed {}  {:.0} min  SLO: first token within {:.2} s for {:.1} % of requests",
        neutralize(&report.scenario),
        report.seed,
        report.duration_s / 60.0,
        report.slo_ttft_s,
        report.slo_attainment * 100.0
    );
    let label_width = ROWS
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    let columns: Vec<Vec<String>> = report
        .runs
        .iter()
        .map(|run| {
            std::iter::once(neutralize(&run.run).into_owned())
                .chain(ROWS.iter().map(|(_, read)| read(run)))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| c.iter().map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    for row in 0..=ROWS.len() {
        let label = if row == 0 { "" } else { ROWS[row - 1].0 };
        let _ = write!(out, "{label:<label_width$}");
        for (column, width) in columns.iter().zip(&widths) {
            let _ = write!(out, "  {:>width$}", column[row]);
        }
        out.push('\n');
    }
    if let Some(hours) = report.oracle_instance_hours {
        let _ = writeln!(
            out,
            "oracle (the smallest group meeting the SLO each minute, knowing the load): {hours:.2} instance-hours"
        );
    }
    out
}
