//! `host check FILE.wasm`: load a policy as `run` would, without settings,
//! and print what it is and what it imports.

use std::path::PathBuf;

use clap::Args;

use super::{Failure, GlobalArgs};

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// The policy component to check.
    #[arg(value_name = "FILE.wasm")]
    file: PathBuf,
}

pub(super) fn check(global: &GlobalArgs, args: CheckArgs) -> Result<(), Failure> {
    let engine = super::engine(global)?;
    let info = engine.inspect(&args.file).map_err(Failure::policy)?;
    let meta = &info.metadata;
    println!("{} {}", meta.name, meta.version);
    if !meta.description.is_empty() {
        println!("  {}", meta.description);
    }
    println!("  file     {}", info.path.display());
    println!("  sha256   {}", info.digest);
    let kinds: Vec<&str> = meta.action_kinds.iter().map(|k| k.name()).collect();
    println!("  actions  {}", kinds.join(", "));
    println!("  imports");
    for import in &info.imports {
        println!("    {import}");
    }
    Ok(())
}
