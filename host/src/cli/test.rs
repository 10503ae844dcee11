//! `host test POLICY.wasm FIXTURE…|DIR…`: run a policy on test cases and
//! check what must hold of its decisions; one line per case, a readable
//! report of each failure, `N passed, M failed`, and JUnit XML on request.
//! Exit status 1 when any case fails, 2 when a fixture cannot be read.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;

use super::{Failure, GlobalArgs};
use crate::lab::{self, Case};
use crate::runtime::PolicySpec;

#[derive(Debug, Args)]
pub(super) struct TestArgs {
    /// The policy component to test.
    #[arg(value_name = "POLICY.wasm")]
    policy: PathBuf,
    /// Fixture files, or directories whose `*.toml` files are fixtures.
    #[arg(value_name = "FIXTURE|DIR", required = true)]
    fixtures: Vec<PathBuf>,
    /// Also write the results as JUnit XML to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

pub(super) fn test(global: &GlobalArgs, args: TestArgs) -> Result<(), Failure> {
    let files = lab::fixture_files(&args.fixtures)
        .map_err(|err| Failure::usage(anyhow!(err).context("cannot list the fixtures")))?;
    if files.is_empty() {
        return Err(Failure::usage(anyhow!("no fixture (*.toml) found")));
    }
    let cases = files
        .iter()
        .map(|file| Case::load(file))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::usage)?;
    let engine = super::engine(global)?;
    // Identify the policy before any case runs, so a file that is no policy
    // is reported once, as such.
    let info = engine.inspect(&args.policy).map_err(Failure::policy)?;
    let name = info.metadata.name;
    let results = lab::run(&engine, &args.policy, &PolicySpec::new(&args.policy), cases);
    print!("{}", lab::text(&name, &results));
    if let Some(path) = &args.junit {
        lab::write_junit(path, &name, &results).map_err(|err| {
            Failure::usage(anyhow!(err).context(format!("cannot write {}", path.display())))
        })?;
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    match failed {
        0 => Ok(()),
        n => Err(Failure::policy(anyhow!(
            "{n} of {} cases failed",
            results.len()
        ))),
    }
}
