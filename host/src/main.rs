//! The `host` binary: parse the command line, run, report once.

use std::process::ExitCode;

fn main() -> ExitCode {
    fulcrum_host::cli::main()
}
