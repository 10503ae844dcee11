//! `host replay --policy CANDIDATE.wasm --state-dir DIR`: what a candidate
//! policy would have done on the cycles a host recorded, beside what the
//! live policy did. Reads the store to read only, so it works while the host
//! runs.

use std::path::PathBuf;
use std::time::SystemTime;

use anyhow::anyhow;
use clap::Args;

use super::{Failure, GlobalArgs};
use crate::lab;
use crate::runtime::PolicySpec;
use crate::store::{AuditReader, STORE_FILE, parse_since};

#[derive(Debug, Args)]
pub(super) struct ReplayArgs {
    /// The candidate policy component.
    #[arg(long, value_name = "CANDIDATE.wasm")]
    policy: PathBuf,
    /// The state directory of the host whose cycles are replayed.
    #[arg(long, value_name = "DIR")]
    state_dir: PathBuf,
    /// Only cycles since this time: a duration ago ("24h") or an RFC 3339 time.
    #[arg(long, value_name = "T")]
    since: Option<String>,
    /// The live policy to compare with [default: the only one recorded].
    #[arg(long, value_name = "NAME")]
    against: Option<String>,
    /// The candidate's settings, a JSON object [default: {}].
    #[arg(long, value_name = "JSON")]
    settings: Option<String>,
    /// The comparison as one JSON document.
    #[arg(long)]
    json: bool,
}

pub(super) fn replay(global: &GlobalArgs, args: ReplayArgs) -> Result<(), Failure> {
    let since_ms = args
        .since
        .as_deref()
        .map(|since| parse_since(since, SystemTime::now()))
        .transpose()
        .map_err(|err| Failure::usage(anyhow!(err)))?;
    let mut spec = PolicySpec::new(&args.policy);
    if let Some(settings) = &args.settings {
        spec.settings = serde_json::from_str(settings)
            .map_err(|err| Failure::usage(anyhow!(err).context("--settings is not JSON")))?;
    }
    let store = AuditReader::open(&args.state_dir.join(STORE_FILE)).map_err(Failure::usage)?;
    let engine = super::engine(global)?;
    let candidate = engine.load(&spec).map_err(Failure::policy)?;
    let replay = lab::replay(&store, &candidate, since_ms, args.against.as_deref())
        .map_err(Failure::usage)?;
    if args.json {
        let json = serde_json::to_string_pretty(&replay).map_err(Failure::usage)?;
        println!("{json}");
    } else {
        print!("{}", lab::replay_text(&replay));
    }
    Ok(())
}
