//! `host check FILE.wasm`: load a policy as `run` would, without settings,
//! and print what it is, the contract version it is built against (and why
//! that version is deprecated, if it is) and what it imports.

use std::path::PathBuf;

use clap::Args;

use super::{Failure, GlobalArgs};
use crate::observe::SafeText;

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
    // Validated at load, and neutralised all the same: every field is the
    // policy's own text.
    let mut out = SafeText::new();
    out.line(format_args!("{} {}", meta.name, meta.version));
    if !meta.description.is_empty() {
        out.line(format_args!("  {}", meta.description));
    }
    out.line(format_args!("  file     {}", info.path.display()));
    out.line(format_args!("  sha256   {}", info.digest));
    match info.contract.deprecation() {
        None => out.line(format_args!("  contract {}", info.contract)),
        Some(why) => out.line(format_args!(
            "  contract {} (deprecated: {why})",
            info.contract
        )),
    }
    let kinds: Vec<&str> = meta.action_kinds.iter().map(|k| k.name()).collect();
    out.line(format_args!("  actions  {}", kinds.join(", ")));
    out.line(format_args!("  imports"));
    for import in &info.imports {
        out.line(format_args!("    {import}"));
    }
    print!("{}", out.into_string());
    Ok(())
}
