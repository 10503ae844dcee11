//! `host run`: load the policies, then run cycles — against the configured
//! backends, or the embedded demo — printing each cycle as a table. SIGHUP
//! reloads the policies; SIGINT or SIGTERM stops after the cycle in progress
//! ([`super::stop`]).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use tokio::signal::unix::{SignalKind, signal};

use super::session::{Session, command_line};
use super::stop::{StopSignal, StopSignals};
use super::{Failure, GlobalArgs, table};
use crate::config::PolicyConfig;
use crate::engine::Mode;
use crate::observe::{self, Health};

#[derive(Debug, Args)]
pub(super) struct RunArgs {
    /// A policy component to run, with default settings and every action it
    /// declares granted; repeat for more.
    #[arg(long = "policy", value_name = "FILE.wasm")]
    policies: Vec<PathBuf>,
    /// A policy to run in the shadow: evaluated every cycle and compared
    /// with what is applied, never applied itself; repeat for more.
    #[arg(long = "shadow", value_name = "FILE.wasm")]
    shadows: Vec<PathBuf>,
    /// Configuration file (backends, telemetry, policies); see examples/.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Evaluate and print the plan each cycle, but apply nothing.
    #[arg(long)]
    dry_run: bool,
    /// Stop after this many cycles [default: run until interrupted].
    #[arg(long, value_name = "N")]
    cycles: Option<u64>,
    /// Time between cycles [default: the configuration's engine.interval_ms, 1s in the demo].
    #[arg(long, value_name = "DURATION", value_parser = super::parse_duration)]
    interval: Option<Duration>,
}

pub(super) fn run(global: &GlobalArgs, args: RunArgs) -> Result<(), Failure> {
    super::block_on(run_loop(global, args))
}

async fn run_loop(global: &GlobalArgs, args: RunArgs) -> Result<(), Failure> {
    let mut extra = command_line(&args.policies);
    extra.extend(
        args.shadows
            .iter()
            .cloned()
            .map(PolicyConfig::shadow_from_command_line),
    );
    let mut session = Session::start(global, args.config.as_deref(), extra, true, false).await?;
    let interval = args.interval.unwrap_or(if session.demo.is_some() {
        Duration::from_secs(1)
    } else {
        session.config.engine.interval
    });
    let health = Health::new(interval * 3 + Duration::from_secs(10));
    if let Some(listen) = session.config.engine.metrics_listen {
        let bound = observe::serve(listen, session.metrics.clone(), health.clone())
            .await
            .map_err(|err| {
                Failure::usage(anyhow::anyhow!("engine.metrics_listen {listen}: {err}"))
            })?;
        println!("metrics on http://{bound}/metrics");
    }
    let names: Vec<String> = session
        .engine
        .policies()
        .iter()
        .map(|p| format!("{} {}", p.name(), p.prepared.info().metadata.version))
        .collect();
    println!(
        "Fulcrum: {} on {}{}",
        names.join(", "),
        if session.demo.is_some() {
            "the embedded fleet (BIG-IP and GCE simulators on loopback)"
        } else {
            "the configured backends"
        },
        if args.dry_run {
            ", dry run: nothing is applied"
        } else {
            ""
        }
    );
    let mode = if args.dry_run {
        Mode::DryRun
    } else {
        Mode::Apply
    };
    let mut hangup = signal(SignalKind::hangup()).map_err(Failure::usage)?;
    let mut stop = StopSignals::listen().map_err(Failure::usage)?;
    let recorded = session.config.engine.state_dir.is_some();
    let mut cycles = 0;
    loop {
        let started = Instant::now();
        cycles += 1;
        let world = session.world();
        let (report, stopping) = {
            let cycle = session.cycle(mode);
            tokio::pin!(cycle);
            tokio::select! {
                report = &mut cycle => (report?, None),
                signal = stop.recv() => {
                    eprintln!("host: {signal}: stopping once this cycle is applied and recorded; send it again to stop at once");
                    tokio::select! {
                        report = &mut cycle => (report?, Some(signal)),
                        again = stop.recv() => return Err(stopped_mid_cycle(again, recorded)),
                    }
                }
            }
        };
        health.cycle_completed();
        print!("{}", table::render(&report, world.as_deref()));
        if let Some(signal) = stopping {
            return stopped_after(signal, report.version);
        }
        if args.cycles.is_some_and(|n| cycles >= n) {
            return Ok(());
        }
        tokio::select! {
            () = tokio::time::sleep(interval.saturating_sub(started.elapsed())) => {}
            _ = hangup.recv() => session.engine.request_reload(),
            signal = stop.recv() => return stopped_after(signal, report.version),
        }
    }
}

/// A stop signal ended the run after cycle `cycle`.
fn stopped_after(signal: StopSignal, cycle: u64) -> Result<(), Failure> {
    eprintln!("host: {signal}: stopped after cycle {cycle}");
    Ok(())
}

/// A second stop signal ended the run in the middle of a cycle; with a
/// store (`recorded`), the next start closes that cycle as interrupted if it
/// had begun applying.
fn stopped_mid_cycle(signal: StopSignal, recorded: bool) -> Failure {
    let next = if recorded {
        "; if it had begun applying, the next start records it as interrupted"
    } else {
        ""
    };
    Failure {
        error: anyhow::anyhow!("{signal} again: stopped in the middle of a cycle{next}"),
        code: signal.exit_code(),
    }
}
