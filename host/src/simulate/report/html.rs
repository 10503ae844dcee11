//! `--report DIR`: an HTML page (`index.html`) with the scorecards and SVG
//! charts beside it, every run on the same axes: the load and the requests
//! waiting over time, TTFT p99 per minute against the SLO, the group's size
//! (and the oracle's), the spread of utilisation across nodes, and per run
//! the ratio of every node (of every node class, beyond 24 nodes).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::chart::{ChartError, Series, line_chart};
use super::table::ROWS;
use crate::observe::neutralize;
use crate::simulate::Simulation;
use crate::simulate::run::RunOutcome;
use crate::simulate::scenario::node_name;

/// The page's file name in the report directory.
pub const PAGE: &str = "index.html";
/// Beyond this many nodes, ratios are drawn per node class.
const NODES_DRAWN: usize = 24;

/// A report that could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot draw the chart {chart}")]
    Chart {
        chart: &'static str,
        #[source]
        source: ChartError,
    },
}

/// Write the page and its charts into `dir` (created if missing).
pub fn write_html(dir: &Path, simulation: &Simulation) -> Result<(), ReportError> {
    let write = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| ReportError::Write { path, source })
    };
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let mut charts = Vec::new();
    for (file, title, svg) in charts_of(simulation)? {
        write(&file, &svg)?;
        charts.push((file, title));
    }
    write(PAGE, &page(simulation, &charts))
}

fn minutes(t_s: f64) -> f64 {
    t_s / 60.0
}

/// Every chart: its file name, its title, its SVG.
fn charts_of(sim: &Simulation) -> Result<Vec<(String, String, String)>, ReportError> {
    let runs = &sim.runs;
    let per_run = |f: fn(&RunOutcome) -> Vec<(f64, f64)>| -> Vec<Series> {
        runs.iter()
            .map(|r| Series {
                name: r.label.clone(),
                points: f(r),
                reference: false,
            })
            .collect()
    };
    let draw = |chart: &'static str, title: &str, y: &str, series: &[Series]| {
        line_chart(title, y, series).map_err(|source| ReportError::Chart { chart, source })
    };
    let mut charts: Vec<(String, String, String)> = Vec::new();
    let mut add =
        |file: String, title: &str, svg: String| charts.push((file, title.to_owned(), svg));
    let load = runs
        .first()
        .map(|r| {
            r.cycles
                .iter()
                .map(|c| (minutes(c.t_s), c.demand.arrival_rate))
                .collect()
        })
        .unwrap_or_default();
    let load = [Series {
        name: "arrivals".into(),
        points: load,
        reference: false,
    }];
    add(
        "load.svg".to_owned(),
        "Load: requests arriving per second",
        draw("load", "Load", "requests/s", &load)?,
    );
    let queue = per_run(|r| {
        r.cycles
            .iter()
            .map(|c| (minutes(c.t_s), c.demand.queue_depth))
            .collect()
    });
    add(
        "queue.svg".to_owned(),
        "Requests waiting for their first token",
        draw("queue", "Queue", "requests", &queue)?,
    );
    let mut ttft = per_run(|r| {
        r.metrics
            .minutes
            .iter()
            .enumerate()
            .map(|(m, minute)| (m as f64, minute.ttft.quantile(0.99).unwrap_or(f64::NAN)))
            .collect()
    });
    ttft.push(Series {
        name: "SLO".into(),
        points: vec![
            (0.0, sim.scenario.slo.ttft_s),
            (minutes(sim.duration_s), sim.scenario.slo.ttft_s),
        ],
        reference: true,
    });
    add(
        "ttft.svg".to_owned(),
        "TTFT p99 per minute",
        draw("ttft", "TTFT p99 per minute", "seconds", &ttft)?,
    );
    let mut sizes = per_run(|r| {
        r.cycles
            .iter()
            .map(|c| (minutes(c.t_s), f64::from(c.target)))
            .collect()
    });
    if let Some(oracle) = &sim.oracle {
        sizes.push(Series {
            name: "oracle".into(),
            points: oracle
                .sizes
                .iter()
                .enumerate()
                .map(|(m, &n)| (m as f64, f64::from(n)))
                .collect(),
            reference: true,
        });
    }
    add(
        "size.svg".to_owned(),
        "Group size (target)",
        draw("size", "Group size", "instances", &sizes)?,
    );
    let spread = per_run(|r| {
        r.cycles
            .iter()
            .map(|c| (minutes(c.t_s), c.utilization.1 * 100.0))
            .collect()
    });
    add(
        "spread.svg".to_owned(),
        "Utilisation spread across nodes (standard deviation)",
        draw("spread", "Utilisation spread", "percentage points", &spread)?,
    );
    let classes = sim.scenario.slot_classes();
    for (i, run) in runs.iter().enumerate() {
        let series = ratio_series(run, &classes);
        let title = format!("Member ratios: {}", run.label);
        add(
            format!("ratios-{i}.svg"),
            &title,
            draw("ratios", &title, "ratio", &series)?,
        );
    }
    Ok(charts)
}

/// Each node's ratio over the run, or each class's mean beyond [`NODES_DRAWN`].
fn ratio_series(run: &RunOutcome, classes: &[usize]) -> Vec<Series> {
    let at = |c: &crate::simulate::CycleRow| minutes(c.t_s);
    if classes.len() <= NODES_DRAWN {
        (0..classes.len())
            .map(|slot| Series {
                name: node_name(slot),
                points: run
                    .cycles
                    .iter()
                    .filter(|c| c.ratios[slot] > 0)
                    .map(|c| (at(c), f64::from(c.ratios[slot])))
                    .collect(),
                reference: false,
            })
            .collect()
    } else {
        let count = classes.iter().max().map_or(0, |c| c + 1);
        (0..count)
            .map(|class| Series {
                name: format!("class {} (mean)", class + 1),
                points: run
                    .cycles
                    .iter()
                    .map(|c| {
                        let ratios: Vec<f64> = c
                            .ratios
                            .iter()
                            .zip(classes)
                            .filter(|(r, k)| **r > 0 && **k == class)
                            .map(|(r, _)| f64::from(*r))
                            .collect();
                        let mean = if ratios.is_empty() {
                            f64::NAN
                        } else {
                            ratios.iter().sum::<f64>() / ratios.len() as f64
                        };
                        (at(c), mean)
                    })
                    .collect(),
                reference: false,
            })
            .collect()
    }
}

fn escape(text: &str) -> String {
    neutralize(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(sim: &Simulation, charts: &[(String, String)]) -> String {
    let report = sim.report();
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>host simulate: {name}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em;max-width:1000px}}table{{border-collapse:collapse}}\
         td,th{{padding:2px 10px;text-align:right;border-bottom:1px solid #ddd}}td:first-child,th:first-child{{text-align:left}}\
         img{{display:block;margin:1.5em 0}}</style></head><body>\n<h1>{name}</h1>\n\
         <p>Seed {seed}, {minutes:.0} minutes of virtual time. SLO: first token within {slo:.2} s for {att:.1} % of requests.</p>\n",
        name = escape(&report.scenario),
        seed = report.seed,
        minutes = report.duration_s / 60.0,
        slo = report.slo_ttft_s,
        att = report.slo_attainment * 100.0,
    );
    out.push_str("<table><tr><th></th>");
    for run in &report.runs {
        let _ = write!(out, "<th>{}</th>", escape(&run.run));
    }
    out.push_str("</tr>\n");
    for (label, read) in ROWS {
        let _ = write!(out, "<tr><td>{label}</td>");
        for run in &report.runs {
            let _ = write!(out, "<td>{}</td>", read(run));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    if let Some(hours) = report.oracle_instance_hours {
        let _ = writeln!(
            out,
            "<p>Oracle (the smallest group meeting the SLO each minute, knowing the load): {hours:.2} instance-hours.</p>"
        );
    }
    for (file, title) in charts {
        let _ = writeln!(
            out,
            "<h2>{}</h2><img src=\"{file}\" alt=\"{}\">",
            escape(title),
            escape(title)
        );
    }
    out.push_str("</body></html>\n");
    out
}
