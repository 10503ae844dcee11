//! The `host` command line: clap definitions, the subcommands, and the one
//! place errors are reported and turned into exit codes.

mod audit;
mod check;
mod plan;
mod replay;
mod run;
mod session;
mod sim;
mod simulate;
mod snapshot;
mod status;
mod stop;
mod table;
mod test;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error_chain::with_causes;
use crate::runtime::{EngineConfig, PolicyEngine, default_cache_dir};

/// Exit status when everything worked.
pub const EXIT_OK: u8 = 0;
/// Exit status when a policy could not be loaded or checked.
pub const EXIT_POLICY: u8 = 1;
/// Exit status for bad usage or configuration.
pub const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "host",
    version,
    about = "Run sandboxed WebAssembly load-balancing and scaling policies for GPU clusters",
    after_help = "Exit status: 0 on success, 1 when a policy cannot be loaded, 2 for bad usage or configuration."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: GlobalArgs,
}

#[derive(Debug, Args)]
struct GlobalArgs {
    /// Where compiled policies are cached [default: $XDG_CACHE_HOME/fulcrum/policies].
    #[arg(long, global = true, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    /// Compile policies on every load instead of caching them.
    #[arg(long, global = true, conflicts_with = "cache_dir")]
    no_cache: bool,
    /// Log format on stderr; the level comes from RUST_LOG (default: warn).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run policies in a loop; with no --config, on the embedded simulated fleet.
    Run(run::RunArgs),
    /// Print a policy's metadata and imports, or why it is not a valid policy.
    Check(check::CheckArgs),
    /// Run one cycle and print the change set it would apply, applying nothing.
    Plan(plan::PlanArgs),
    /// Print the snapshot policies would receive, as a summary or as JSON.
    Snapshot(snapshot::SnapshotArgs),
    /// Show each backend: pools and members, and each backend service's chain
    /// up to its forwarding rule, with its groups' size and health.
    Status(status::StatusArgs),
    /// Print the audit log: one record per cycle.
    Audit(audit::AuditArgs),
    /// Run a simulator (BIG-IP or GCE) on loopback in the foreground.
    Sim(sim::SimCommand),
    /// Run a policy on test fixtures and check what must hold of its decisions.
    Test(test::TestArgs),
    /// Replay a candidate policy on a host's recorded cycles and compare it
    /// with what the live policy did.
    Replay(replay::ReplayArgs),
    /// Score policies on a load trace through a simulated fleet, beside the seed's static setup.
    Simulate(simulate::SimulateArgs),
}

/// Parse the command line, run it, report any error once, return the exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    crate::tls::install_crypto_provider();
    init_logging(cli.global.log_format);
    let result = match cli.command {
        Command::Run(args) => run::run(&cli.global, args),
        Command::Check(args) => check::check(&cli.global, args),
        Command::Plan(args) => plan::plan(&cli.global, args),
        Command::Snapshot(args) => snapshot::snapshot(&cli.global, args),
        Command::Status(args) => status::status(&cli.global, args),
        Command::Audit(args) => audit::audit(args),
        Command::Sim(command) => sim::sim(command),
        Command::Test(args) => test::test(&cli.global, args),
        Command::Replay(args) => replay::replay(&cli.global, args),
        Command::Simulate(args) => simulate::simulate(&cli.global, args),
    };
    match result {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(failure) => {
            // One error may list several problems, a line each: each line is
            // neutralised, and only the error's own breaks stay breaks.
            let text = with_causes(failure.error.as_ref());
            let lines: Vec<_> = text.lines().map(crate::observe::neutralize).collect();
            eprintln!("host: {}", lines.join("\n"));
            ExitCode::from(failure.code)
        }
    }
}

/// An error on its way to the user, with the exit code it ends in.
struct Failure {
    error: anyhow::Error,
    code: u8,
}

impl Failure {
    fn usage(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            error: error.into(),
            code: EXIT_USAGE,
        }
    }

    fn policy(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            error: error.into(),
            code: EXIT_POLICY,
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        // Colours only for a person at a terminal, never into a file or pipe.
        LogFormat::Text => builder
            .fmt_fields(crate::observe::log_format::SafeFields)
            .with_ansi(std::io::stderr().is_terminal())
            .init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn engine(global: &GlobalArgs) -> Result<PolicyEngine, Failure> {
    let cache_dir = if global.no_cache {
        None
    } else {
        global.cache_dir.clone().or_else(default_cache_dir)
    };
    PolicyEngine::new(&EngineConfig {
        cache_dir,
        ..EngineConfig::default()
    })
    .map_err(|err| Failure::usage(err.context("cannot start the WebAssembly engine")))
}

/// Run `future` to completion on a multi-threaded runtime.
fn block_on<T>(
    future: impl std::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    tokio::runtime::Runtime::new()
        .map_err(Failure::usage)?
        .block_on(future)
}

fn parse_duration(text: &str) -> Result<Duration, humantime::DurationError> {
    humantime::parse_duration(text)
}
