//! `host plan`: run one cycle — collect, evaluate, guard, plan — and print
//! the change set, what the guard held back or rejected, without applying
//! anything.

use std::path::PathBuf;

use clap::Args;

use super::session::{Session, command_line};
use super::{Failure, GlobalArgs};
use crate::engine::Mode;
use crate::observe::SafeText;

#[derive(Debug, Args)]
pub(super) struct PlanArgs {
    /// A policy component, with default settings and every action it declares granted; repeat for more.
    #[arg(long = "policy", value_name = "FILE.wasm")]
    policies: Vec<PathBuf>,
    /// Configuration file (backends, telemetry, policies); see examples/.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Print the plan as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn plan(global: &GlobalArgs, args: PlanArgs) -> Result<(), Failure> {
    super::block_on(async {
        let mut session = Session::start(
            global,
            args.config.as_deref(),
            command_line(&args.policies),
            true,
            true,
        )
        .await?;
        let report = session.cycle(Mode::DryRun).await?;
        if args.json {
            let json = serde_json::to_string_pretty(&report.plan).map_err(Failure::usage)?;
            println!("{json}");
        } else {
            print!("{}", crate::plan::render(&report.plan));
            let mut out = SafeText::new();
            for accepted in &report.accepted {
                for clamp in &accepted.clamps {
                    out.line(format_args!(
                        "held back: policy {} on {}: {}",
                        accepted.policy, accepted.target, clamp.detail
                    ));
                }
            }
            for rejection in &report.rejected {
                out.line(format_args!("rejected: {rejection}"));
            }
            for error in &report.source_errors {
                out.line(format_args!("source: {error}"));
            }
            print!("{}", out.into_string());
        }
        Ok(())
    })
}
