//! `host run`: load the policies, then run cycles on the embedded fleet,
//! printing each cycle as a table.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::anyhow;
use clap::Args;

use crate::config::RunConfig;
use crate::cycle::{LoadedPolicy, run_cycle};
use crate::runtime::PolicySpec;
use crate::sim::{Fleet, FleetConfig};

use super::{Failure, GlobalArgs, table};

#[derive(Debug, Args)]
pub(super) struct RunArgs {
    /// A policy component to run, with default settings; repeat for more.
    #[arg(long = "policy", value_name = "FILE.wasm")]
    policies: Vec<PathBuf>,
    /// Configuration file (fleet and policies); see examples/.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Evaluate and print the changes, but apply nothing.
    #[arg(long)]
    dry_run: bool,
    /// Stop after this many cycles [default: run until interrupted].
    #[arg(long, value_name = "N")]
    cycles: Option<u64>,
    /// Time between cycles.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = super::parse_duration)]
    interval: Duration,
}

pub(super) fn run(global: &GlobalArgs, args: RunArgs) -> Result<(), Failure> {
    let (fleet_config, mut specs) = match &args.config {
        Some(path) => {
            let config = RunConfig::load(path).map_err(Failure::usage)?;
            (config.fleet, config.policies)
        }
        None => (FleetConfig::default(), Vec::new()),
    };
    specs.extend(args.policies.iter().map(PolicySpec::new));
    if specs.is_empty() {
        return Err(Failure::usage(anyhow!(
            "no policy to run: give --policy FILE.wasm, or a --config with [[policies]]"
        )));
    }
    let engine = super::engine(global)?;
    let mut policies = Vec::with_capacity(specs.len());
    for spec in &specs {
        policies.push(LoadedPolicy::new(
            engine.load(spec).map_err(Failure::policy)?,
        ));
    }
    let mut fleet = Fleet::new(fleet_config, now_ms());
    let names: Vec<String> = policies
        .iter()
        .map(|p| {
            format!(
                "{} {}",
                p.prepared.info().metadata.name,
                p.prepared.info().metadata.version
            )
        })
        .collect();
    println!(
        "Fulcrum: {} on the embedded fleet ({} nodes){}",
        names.join(", "),
        fleet.snapshot(0).nodes.name.len(),
        if args.dry_run {
            ", dry run: nothing is applied"
        } else {
            ""
        }
    );
    let mut version = 0;
    loop {
        let started = Instant::now();
        version += 1;
        let offered = fleet.offered_load_rps();
        let report = run_cycle(&mut fleet, &mut policies, version, args.dry_run);
        print!("{}", table::render(&report, offered));
        if args.cycles.is_some_and(|n| version >= n) {
            return Ok(());
        }
        std::thread::sleep(args.interval.saturating_sub(started.elapsed()));
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
