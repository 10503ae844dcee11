//! `host run`: load the policies, then run cycles — against the configured
//! backends, or the embedded demo — printing each cycle as a table. SIGHUP
//! reloads the policies; SIGINT or SIGTERM stops after the cycle in progress
//! ([`super::stop`]). A replica (`[ha]`) takes its turn before each cycle
//! and runs it only while it leads, printing a line when its role changes;
//! it gives its lease back as it stops, so a standby takes over at once.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use tokio::signal::unix::{SignalKind, signal};

use super::session::{Session, command_line, now_ms};
use super::stop::{StopSignal, StopSignals};
use super::{Failure, GlobalArgs, table};
use crate::config::PolicyConfig;
use crate::engine::Mode;
use crate::ha::{Replica, Role};
use crate::observe::{self, Health, SafeText};

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
    let mut replica = session.replica.take();
    if replica.is_none() {
        // Alone, this host always leads.
        session.metrics.leader(true);
    }
    let ran = run_cycles(&mut session, &mut replica, &args, &health, interval, mode).await;
    if let (Some(replica), Ok(())) = (replica, &ran) {
        replica.resign().await;
    }
    ran
}

/// Cycles until `args.cycles` ran or a stop signal; a replica's turns first.
async fn run_cycles(
    session: &mut Session,
    replica: &mut Option<Replica>,
    args: &RunArgs,
    health: &Health,
    interval: Duration,
    mode: Mode,
) -> Result<(), Failure> {
    let mut hangup = signal(SignalKind::hangup()).map_err(Failure::usage)?;
    let mut stop = StopSignals::listen().map_err(Failure::usage)?;
    let recorded = session.config.engine.state_dir.is_some();
    let mut cycles = 0;
    let mut last_role = None;
    loop {
        let started = Instant::now();
        if let Some(replica) = replica.as_mut() {
            let role = replica.turn(&mut session.engine, now_ms()).await;
            health.replica_role(&role);
            if last_role.as_ref() != Some(&role) {
                print!("{}", describe(replica.name(), &role));
                last_role = Some(role.clone());
            }
            if role != Role::Leader {
                // Standing by is this replica's cycle: it stays healthy.
                health.cycle_completed();
                tokio::select! {
                    () = tokio::time::sleep(interval.saturating_sub(started.elapsed())) => {}
                    _ = hangup.recv() => session.engine.request_reload(),
                    signal = stop.recv() => {
                        eprintln!("host: {signal}: stopped while not leading");
                        return Ok(());
                    }
                }
                continue;
            }
        }
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

/// A line saying what replica `name` does now.
fn describe(name: &str, role: &Role) -> String {
    let mut out = SafeText::new();
    match role {
        Role::Leader => out.line(format_args!("replica {name}: leading")),
        Role::Standby { leader } => {
            out.line(format_args!("replica {name}: standby, {leader} leads"))
        }
        Role::Unavailable { why } => out.line(format_args!(
            "replica {name}: applying nothing, failing static: {why}"
        )),
    }
    out.into_string()
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
