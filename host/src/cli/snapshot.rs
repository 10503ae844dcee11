//! `host snapshot`: print exactly the snapshot policies would receive, as a
//! readable summary or as the contract's columns in JSON, for debugging
//! sources and policies; or, with `--state-dir`, the snapshot a past cycle
//! decided from, as the store recorded it.

use std::path::PathBuf;

use clap::Args;

use anyhow::anyhow;

use super::session::Session;
use super::{Failure, GlobalArgs};
use crate::engine::Mode;
use crate::model::{Availability, Code, Health, Snapshot};
use crate::observe::SafeText;
use crate::store::{AuditReader, ReadAudit, STORE_FILE};

#[derive(Debug, Args)]
pub(super) struct SnapshotArgs {
    /// Configuration file (backends and telemetry); its policies are loaded but not evaluated.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the snapshot's columns as JSON, exactly as a policy receives them.
    #[arg(long)]
    json: bool,
    /// Which cycle's snapshot: live, the cycles before it run with no policy
    /// acting [default: 1]; with --state-dir, the recorded cycle [default: the newest].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    cycle: Option<u64>,
    /// Read a recorded cycle from this state directory instead of collecting.
    #[arg(long, value_name = "DIR", conflicts_with = "config")]
    state_dir: Option<PathBuf>,
}

pub(super) fn snapshot(global: &GlobalArgs, args: SnapshotArgs) -> Result<(), Failure> {
    if let Some(dir) = &args.state_dir {
        let snapshot = recorded(dir, args.cycle)?;
        return print(&snapshot, args.json, &[]);
    }
    super::block_on(async {
        let mut session =
            Session::start(global, args.config.as_deref(), Vec::new(), false, true).await?;
        session.engine.clear_policies();
        let mut report = session.cycle(Mode::DryRun).await?;
        for _ in 1..args.cycle.unwrap_or(1) {
            report = session.cycle(Mode::DryRun).await?;
        }
        print(&report.snapshot, args.json, &report.source_errors)
    })
}

/// The snapshot recorded for `cycle` (the newest when `None`) in `dir`.
fn recorded(dir: &std::path::Path, cycle: Option<u64>) -> Result<Snapshot, Failure> {
    let store = AuditReader::open(&dir.join(STORE_FILE)).map_err(Failure::usage)?;
    let cycle = match cycle {
        Some(cycle) => cycle,
        None => store
            .newest_recorded()
            .map_err(Failure::usage)?
            .ok_or_else(|| Failure::usage(anyhow!("{}: no cycle is recorded", dir.display())))?,
    };
    let recording = store.recording(cycle).map_err(Failure::usage)?;
    recording.map(|r| r.snapshot).ok_or_else(|| {
        Failure::usage(anyhow!(
            "{}: cycle {cycle} is not recorded (only applied cycles within the audit retention are)",
            dir.display()
        ))
    })
}

fn print(snapshot: &Snapshot, json: bool, source_errors: &[String]) -> Result<(), Failure> {
    if json {
        let json = serde_json::to_string_pretty(snapshot).map_err(Failure::usage)?;
        println!("{json}");
    } else {
        print!("{}", summary(snapshot));
        for error in source_errors {
            println!("source: {}", crate::observe::neutralize(error));
        }
    }
    Ok(())
}

/// The snapshot as a person reads it: nodes with their GPUs, then pools with
/// their members, strings resolved and codes named.
fn summary(s: &Snapshot) -> String {
    let mut out = SafeText::new();
    let (nodes, gpus, members) = (s.nodes.name.len(), s.gpus.node.len(), s.members.pool.len());
    out.line(format_args!(
        "snapshot v{} at {} ms: {nodes} nodes, {gpus} GPUs, {members} pool members",
        s.version, s.time_ms
    ));
    for node in 0..nodes as u32 {
        let n = node as usize;
        let stale = if s.nodes.stale[n] != 0 { ", stale" } else { "" };
        out.end_line();
        out.line(format_args!(
            "node {} ({}) {}, telemetry {} ms old{stale}",
            s.string(s.nodes.name[n]),
            s.string(s.nodes.address[n]),
            s.node_health(node).name(),
            s.nodes.telemetry_age_ms[n],
        ));
        for g in s.node_gpus(node) {
            let gp = &s.gpus;
            out.line(format_args!(
                "  gpu {} {}: util {:.2}, mem {:.0}/{:.0} MiB, {:.0} °C, {:.0}/{:.0} W{}{}, {}",
                gp.index[g],
                s.string(gp.model[g]),
                gp.utilization[g],
                gp.memory_used_mib[g],
                gp.memory_total_mib[g],
                gp.temperature_c[g],
                gp.power_w[g],
                gp.power_limit_w[g],
                if gp.throttled[g] != 0 {
                    ", throttled"
                } else {
                    ""
                },
                if gp.last_xid[g] != 0 {
                    format!(", XID {}", gp.last_xid[g])
                } else {
                    String::new()
                },
                Health::from_code(gp.health[g]).name(),
            ));
        }
    }
    for pool in 0..s.pools.name.len() {
        out.end_line();
        out.line(format_args!(
            "pool {}/{} ({})",
            s.string(s.pools.partition[pool]),
            s.string(s.pools.name[pool]),
            s.string(s.pools.load_balancing_mode[pool]),
        ));
        for m in s.pool_members(pool as u32) {
            let node = s.members.node[m];
            let node = if node == crate::model::NONE {
                "no node"
            } else {
                s.string(s.nodes.name[node as usize])
            };
            out.line(format_args!(
                "  member {} ({node}): ratio {}, {}, {}, {} connections",
                s.string(s.members.name[m]),
                s.members.ratio[m],
                s.member_state(m as u32).name(),
                Availability::from_code(s.members.availability[m]).name(),
                s.members.current_connections[m],
            ));
        }
    }
    for (name, value) in s.signals.name.iter().zip(&s.signals.value) {
        out.end_line();
        out.line(format_args!("signal {} = {value}", s.string(*name)));
    }
    out.into_string()
}
