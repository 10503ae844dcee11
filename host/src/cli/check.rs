//! `host check FILE.wasm [--settings JSON]`: load a policy as `run` would —
//! checked, compiled, its metadata read, `configure` called with the given
//! settings (`{}` by default) — and print what it is, the contract version
//! it is built against (and why that version is deprecated, if it is), the
//! toolchain that built it, the limits it gets, what it imports and how the
//! sandbox answers each import. A policy whose `configure` fails is a failed
//! check.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;

use super::{Failure, GlobalArgs};
use crate::observe::SafeText;
use crate::runtime::{ImportAccess, InspectedPolicy, PolicySpec, import_access};

/// Where the limits Python and JavaScript policies need are explained.
const LANGUAGE_DOC: &str = "docs/policies-in-python-and-javascript.md";

#[derive(Debug, Args)]
pub(super) struct CheckArgs {
    /// The policy component to check.
    #[arg(value_name = "FILE.wasm")]
    file: PathBuf,
    /// The settings to call `configure` with, a JSON object [default: {}].
    #[arg(long, value_name = "JSON")]
    settings: Option<String>,
}

pub(super) fn check(global: &GlobalArgs, args: CheckArgs) -> Result<(), Failure> {
    let mut spec = PolicySpec::new(&args.file);
    if let Some(settings) = &args.settings {
        spec.settings = serde_json::from_str(settings)
            .map_err(|err| Failure::usage(anyhow!(err).context("--settings is not JSON")))?;
    }
    let engine = super::engine(global)?;
    let inspected = engine.inspect_spec(&spec).map_err(Failure::policy)?;
    print!("{}", describe(&inspected));
    inspected.configure().map_err(Failure::policy)?;
    println!("  configure  ok with settings {}", spec.settings);
    Ok(())
}

/// What the policy is, in lines for a terminal.
fn describe(inspected: &InspectedPolicy) -> String {
    let info = inspected.info();
    let meta = &info.metadata;
    // Validated at load, and neutralised all the same: every field is the
    // policy's own text.
    let mut out = SafeText::new();
    out.line(format_args!("{} {}", meta.name, meta.version));
    if !meta.description.is_empty() {
        out.line(format_args!("  {}", meta.description));
    }
    out.line(format_args!("  file       {}", info.path.display()));
    out.line(format_args!("  sha256     {}", info.digest));
    match info.contract.deprecation() {
        None => out.line(format_args!("  contract   {}", info.contract)),
        Some(why) => out.line(format_args!(
            "  contract   {} (deprecated: {why})",
            info.contract
        )),
    }
    let limits = inspected.limits();
    let (deadline, memory) = (limits.deadline.as_millis(), limits.memory_bytes >> 20);
    match info.toolchain.as_ref() {
        Some(toolchain) => out.line(format_args!("  language   {toolchain}")),
        None => out.line(format_args!("  language   not named by the component")),
    }
    match info
        .toolchain
        .as_ref()
        .filter(|toolchain| toolchain.language.default_limits().is_some())
    {
        Some(toolchain) => out.line(format_args!(
            "  limits     {deadline} ms deadline, {memory} MiB memory unless configured: {}'s defaults (see {LANGUAGE_DOC})",
            toolchain.language
        )),
        None => out.line(format_args!(
            "  limits     {deadline} ms deadline, {memory} MiB memory unless configured"
        )),
    }
    let kinds: Vec<&str> = meta.action_kinds.iter().map(|k| k.name()).collect();
    out.line(format_args!("  actions    {}", kinds.join(", ")));
    out.line(format_args!("  imports"));
    let width = info.imports.iter().map(String::len).max().unwrap_or(0);
    for import in &info.imports {
        // Every import was checked before compiling; none is refused here.
        let access = import_access(import).unwrap_or(ImportAccess::Denied);
        out.line(format_args!("    {import:width$}  {access}"));
    }
    out.into_string()
}
