//! `host audit`: print the audit log — one record per cycle: the inputs'
//! digest, each policy's decisions, what the guard rejected or held back,
//! what was planned and how applying it went — from the store in `engine.state_dir`,
//! opened to read only, so it works while the host runs.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::anyhow;
use clap::Args;

use super::Failure;
use crate::config::RunConfig;
use crate::store::{AuditReader, STORE_FILE};

#[derive(Debug, Args)]
pub(super) struct AuditArgs {
    /// Configuration file whose `engine.state_dir` holds the store.
    #[arg(long, value_name = "FILE", required_unless_present = "state_dir")]
    config: Option<PathBuf>,
    /// The state directory itself, instead of a configuration file.
    #[arg(long, value_name = "DIR", conflicts_with = "config")]
    state_dir: Option<PathBuf>,
    /// Only cycles since this time: a duration ago ("15m", "2h") or an RFC 3339 time.
    #[arg(long, value_name = "T")]
    since: Option<String>,
    /// One JSON object per cycle.
    #[arg(long)]
    json: bool,
}

pub(super) fn audit(args: AuditArgs) -> Result<(), Failure> {
    let dir = match (args.state_dir, &args.config) {
        (Some(dir), _) => dir,
        (None, config) => {
            let path = config
                .as_deref()
                .expect("clap requires --config or --state-dir");
            RunConfig::load(path)
                .map_err(Failure::usage)?
                .engine
                .state_dir
                .ok_or_else(|| {
                    Failure::usage(anyhow!(
                        "{}: engine.state_dir is not set, so there is no audit log",
                        path.display()
                    ))
                })?
        }
    };
    let store = AuditReader::open(&dir.join(STORE_FILE)).map_err(Failure::usage)?;
    let mut stdout = std::io::stdout().lock();
    crate::store::print_audit(
        &store,
        args.since.as_deref(),
        args.json,
        SystemTime::now(),
        &mut stdout,
    )
    .map_err(Failure::usage)
}
