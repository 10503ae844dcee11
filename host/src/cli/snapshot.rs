//! `host snapshot`: print exactly the snapshot policies would receive, as a
//! readable summary or as the contract's columns in JSON, for debugging
//! sources and policies.

use std::path::PathBuf;

use clap::Args;

use super::session::Session;
use super::{Failure, GlobalArgs};
use crate::engine::Mode;
use crate::model::{Availability, Code, Health, Snapshot};
use crate::observe::SafeText;

#[derive(Debug, Args)]
pub(super) struct SnapshotArgs {
    /// Configuration file (backends and telemetry); its policies are loaded but not evaluated.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the snapshot's columns as JSON, exactly as a policy receives them.
    #[arg(long)]
    json: bool,
    /// Which cycle's snapshot: the cycles before it run with no policy acting.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    cycle: u64,
}

pub(super) fn snapshot(global: &GlobalArgs, args: SnapshotArgs) -> Result<(), Failure> {
    super::block_on(async {
        let mut session = Session::start(global, args.config.as_deref(), &[], false, true).await?;
        session.engine.clear_policies();
        let mut report = session.cycle(Mode::DryRun).await?;
        for _ in 1..args.cycle {
            report = session.cycle(Mode::DryRun).await?;
        }
        let snapshot = report.snapshot;
        if args.json {
            let json = serde_json::to_string_pretty(&snapshot).map_err(Failure::usage)?;
            println!("{json}");
        } else {
            print!("{}", summary(&snapshot));
            for error in &report.source_errors {
                println!("source: {}", crate::observe::neutralize(error));
            }
        }
        Ok(())
    })
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
