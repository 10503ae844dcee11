//! `host simulate --policy A.wasm[,B.wasm] … --scenario FILE.toml`: score
//! policies on a load trace through a simulated fleet in virtual time, each
//! policy set in its own run of the same scenario, beside the seed's static
//! setup with `--baseline seed`; the scorecards side by side, or as JSON,
//! and with `--report DIR` an HTML page of charts.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::{Args, ValueEnum};

use super::{Failure, GlobalArgs};
use crate::simulate::{self, Options, Scenario, SimulateError, report};

#[derive(Debug, Args)]
pub(super) struct SimulateArgs {
    /// A policy component to score. Several joined by commas
    /// (`a.wasm,b.wasm`) run together as one set; repeat the flag for more runs.
    #[arg(long = "policy", value_name = "FILE.wasm[,FILE.wasm…]")]
    policies: Vec<String>,
    /// The scenario: fleet, group, faults, load, SLO, cycle and guard rails
    /// (see examples/simulate/).
    #[arg(long, value_name = "FILE.toml")]
    scenario: PathBuf,
    /// Replay this trace instead of the scenario's load
    /// (`TIMESTAMP,ContextTokens,GeneratedTokens` or `seconds,prompt_tokens,output_tokens`).
    #[arg(long, value_name = "FILE.csv")]
    trace: Option<PathBuf>,
    /// Add a run of the seeds' static setup: equal ratios, a fixed group size.
    #[arg(long, value_enum, value_name = "seed")]
    baseline: Option<Baseline>,
    /// Print the scorecards as JSON.
    #[arg(long)]
    json: bool,
    /// Write an HTML page with SVG charts of every run to DIR.
    #[arg(long, value_name = "DIR")]
    report: Option<PathBuf>,
    /// Seed of the load's random numbers [default: the scenario's].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

/// What a baseline run is.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Baseline {
    /// The seed documents' static setup.
    Seed,
}

pub(super) fn simulate(global: &GlobalArgs, args: SimulateArgs) -> Result<(), Failure> {
    let scenario = Scenario::load(&args.scenario).map_err(Failure::usage)?;
    let policy_sets = args
        .policies
        .iter()
        .map(|set| {
            let paths: Vec<PathBuf> = set
                .split(',')
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect();
            if paths.is_empty() {
                Err(Failure::usage(anyhow!("--policy {set:?} names no file")))
            } else {
                Ok(paths)
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        scenario,
        trace: args.trace,
        seed: args.seed,
        baseline: matches!(args.baseline, Some(Baseline::Seed)),
        policy_sets,
        oracle: true,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
    };
    let engine = super::engine(global)?;
    let simulation = simulate::simulate(&engine, &options).map_err(|err| match err {
        SimulateError::Policy(_) => Failure::policy(err),
        _ => Failure::usage(err),
    })?;
    let report = simulation.report();
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(Failure::usage)?;
        println!("{json}");
    } else {
        print!("{}", report::table(&report));
    }
    if let Some(dir) = &args.report {
        report::write_html(dir, &simulation).map_err(|err| {
            Failure::usage(
                anyhow!(err).context(format!("cannot write the report to {}", dir.display())),
            )
        })?;
        if !args.json {
            println!("report: {}", dir.join(report::PAGE).display());
        }
    }
    Ok(())
}
