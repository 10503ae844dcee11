//! Builds the policy components and writes `$OUT_DIR/plugins.rs`, one path
//! constant per component.
//!
//! The components are built by a nested `cargo build --target wasm32-wasip2
//! --profile plugin` on this workspace. It uses its own target directory
//! (`<workspace>/target/plugins`), so it never waits on the lock the outer build
//! holds, and it drops the environment the outer build set up for native code
//! (rustflags, target, target dir, rustc wrappers such as clippy's), as
//! wasmtime's `crates/test-programs/artifacts/build.rs` does.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The components: constant name, package, library (file) name, description.
const PLUGINS: &[(&str, &str, &str, &str)] = &[
    (
        "GPU_WEIGHTING",
        "gpu-weighting",
        "gpu_weighting",
        "The example policy, `plugins/gpu-weighting`.",
    ),
    (
        "MIG_RESIZE",
        "mig-resize",
        "mig_resize",
        "The example MIG policy, `plugins/mig-resize`.",
    ),
    (
        "QUEUE_SCALING",
        "queue-scaling",
        "queue_scaling",
        "The example scaling policy, `plugins/queue-scaling`.",
    ),
    (
        "SPIN",
        "fulcrum-test-spin",
        "fulcrum_test_spin",
        "`decide` loops forever.",
    ),
    (
        "ALLOC_BOMB",
        "fulcrum-test-alloc-bomb",
        "fulcrum_test_alloc_bomb",
        "`decide` allocates 1 MiB blocks without bound.",
    ),
    (
        "RECURSE",
        "fulcrum-test-recurse",
        "fulcrum_test_recurse",
        "`decide` recurses without bound.",
    ),
    (
        "TRAP",
        "fulcrum-test-trap",
        "fulcrum_test_trap",
        "`decide` panics: \"policy bug: index out of range\".",
    ),
    (
        "BAD_OUTPUT",
        "fulcrum-test-bad-output",
        "fulcrum_test_bad_output",
        "`decide` returns invalid actions, chosen by `{\"mode\": …}`.",
    ),
    (
        "NET",
        "fulcrum-test-net",
        "fulcrum_test_net",
        "`decide` tries TCP, a name lookup or HTTP, chosen by `{\"mode\": …}` (imports `wasi:sockets` and `wasi:http`).",
    ),
    (
        "PRINT",
        "fulcrum-test-print",
        "fulcrum_test_print",
        "Writes to stdout and stderr: escapes, a forged line, `{\"lines\": N}` more and an unfinished one.",
    ),
    (
        "ENABLE_ALL",
        "fulcrum-test-enable-all",
        "fulcrum_test_enable_all",
        "`decide` enables every pool member that is not enabled.",
    ),
    (
        "EMPTY",
        "fulcrum-test-empty",
        "fulcrum_test_empty",
        "`decide` returns no decisions; `{\"reject\": true}` fails `configure`.",
    ),
    (
        "STATE_COUNTER",
        "fulcrum-test-state-counter",
        "fulcrum_test_state_counter",
        "Counts evaluations under the state key `count`.",
    ),
    (
        "CLOCK",
        "fulcrum-test-clock",
        "fulcrum_test_clock",
        "Reports the wall clock and a random number it sees.",
    ),
    (
        "READ_DATA",
        "fulcrum-test-read-data",
        "fulcrum_test_read_data",
        "Reads `/data/threshold.txt` and tries to write `/data/out.txt`.",
    ),
    (
        "FLOOD",
        "fulcrum-test-flood",
        "fulcrum_test_flood",
        "Floods the host, chosen by `{\"mode\": …}`: 2,000,000 ratio rows, 24 MiB errors, a 2 MiB reason or 10,000 8 KiB logs.",
    ),
    (
        "PANICKY",
        "fulcrum-test-panicky",
        "fulcrum_test_panicky",
        "`configure` panics with \"configure bug\" (`{\"mode\": \"configure\"}`, the default); `{\"mode\": \"decide\"}` is well-behaved.",
    ),
    (
        "METADATA_PANIC",
        "fulcrum-test-metadata-panic",
        "fulcrum_test_metadata_panic",
        "`metadata` panics with \"metadata bug\".",
    ),
    (
        "HUGE_METADATA",
        "fulcrum-test-huge-metadata",
        "fulcrum_test_huge_metadata",
        "`metadata` has a 16 MiB description and 16,000,000 action kinds.",
    ),
    (
        "DUP_KINDS",
        "fulcrum-test-dup-kinds",
        "fulcrum_test_dup_kinds",
        "`metadata` declares `member-ratio` twice.",
    ),
    (
        "ESCAPE_METADATA",
        "fulcrum-test-escape-metadata",
        "fulcrum_test_escape_metadata",
        "`metadata`'s version and description hold terminal escape sequences and a forged line.",
    ),
    (
        "INJECT",
        "fulcrum-test-inject",
        "fulcrum_test_inject",
        "Puts terminal escapes and a forged row into a reason, an error, a panic or a log, chosen by `{\"mode\": …}`.",
    ),
    (
        "STATE_BOMB",
        "fulcrum-test-state-bomb",
        "fulcrum_test_state_bomb",
        "Writes state keys until the host refuses (`keys`), or one 512 KiB value 10,000 times (`rewrite`).",
    ),
    (
        "ABI_BREAKER",
        "fulcrum-test-abi-breaker",
        "fulcrum_test_abi_breaker",
        "Hand-written exports; `decide` breaks the canonical ABI as `{\"mode\": …}` says.",
    ),
    (
        "MIG_DUP",
        "fulcrum-test-mig-dup",
        "fulcrum_test_mig_dup",
        "`decide` proposes a MIG layout naming GPU row 0 twice.",
    ),
    (
        "OLD_CONTRACT",
        "fulcrum-test-old-contract",
        "fulcrum_test_old_contract",
        "A well-behaved policy built against `fulcrum:policy@0.1.0`.",
    ),
    (
        "CONTRACT_V0_2",
        "fulcrum-test-contract-v0-2",
        "fulcrum_test_contract_v0_2",
        "Built against `fulcrum:policy@0.2.0`: raises every member's ratio by one, echoing what it read in the reason.",
    ),
    (
        "FS_ESCAPE",
        "fulcrum-test-fs-escape",
        "fulcrum_test_fs_escape",
        "`decide` tries to read or write outside `/data`, chosen by `{\"mode\": …}`.",
    ),
    (
        "COMMAND",
        "fulcrum-test-command",
        "fulcrum_test_command",
        "A plain WASI command component, not a policy.",
    ),
];

const TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "plugin";

fn main() -> ExitCode {
    match build() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn build() -> Result<(), String> {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .ok_or("plugins/artifacts has no workspace two levels up")?
        .to_path_buf();
    for watched in [
        "wit",
        "plugins",
        "host/mig",
        "tests/plugins",
        "Cargo.toml",
        "Cargo.lock",
    ] {
        println!(
            "cargo:rerun-if-changed={}",
            workspace.join(watched).display()
        );
    }

    check_target()?;
    let target_dir = workspace.join("target").join("plugins");
    cargo_build(&workspace, &target_dir)?;

    let out_dir = target_dir.join(TARGET).join(PROFILE);
    let mut code = String::new();
    let mut all = String::new();
    for &(constant, package, library, description) in PLUGINS {
        let wasm = out_dir.join(format!("{library}.wasm"));
        if !wasm.is_file() {
            return Err(format!("{package}: cargo built no {}", wasm.display()));
        }
        let path = wasm
            .to_str()
            .ok_or_else(|| format!("{}: path is not UTF-8", wasm.display()))?;
        let _ = writeln!(
            code,
            "/// {description}\n///\n/// Crate `{package}`.\npub const {constant}: &str = {path:?};"
        );
        let _ = write!(all, "({package:?}, {constant}), ");
    }
    let _ = writeln!(
        code,
        "/// Every component as `(crate, path)`.\npub const ALL: &[(&str, &str)] = &[{all}];"
    );
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?).join("plugins.rs");
    fs::write(&out, code).map_err(|error| format!("writing {}: {error}", out.display()))
}

/// Fails with the fix when the toolchain lacks the `wasm32-wasip2` standard library.
fn check_target() -> Result<(), String> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output()
        .map_err(|error| format!("running {}: {error}", rustc.to_string_lossy()))?;
    let libdir = String::from_utf8_lossy(&output.stdout);
    if output.status.success() && has_std(Path::new(libdir.trim())) {
        return Ok(());
    }
    Err(format!(
        "the {TARGET} target is not installed, so the policy components cannot be built; \
         run `rustup target add {TARGET}`"
    ))
}

/// Whether `libdir` holds a standard library (its file name carries a hash).
fn has_std(libdir: &Path) -> bool {
    let Ok(entries) = fs::read_dir(libdir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        name.starts_with("libstd-") && name.ends_with(".rlib")
    })
}

/// Runs the nested `cargo build` of every component.
fn cargo_build(workspace: &Path, target_dir: &Path) -> Result<(), String> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace)
        .arg("build")
        .arg("--manifest-path")
        .arg(workspace.join("Cargo.toml"))
        .args(["--target", TARGET, "--profile", PROFILE])
        .arg("--target-dir")
        .arg(target_dir);
    for &(_, package, _, _) in PLUGINS {
        command.args(["--package", package]);
    }
    // The outer build's settings are for native code, or would make the nested
    // build wait on (or write to) the outer build's target directory.
    for variable in [
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(variable);
    }
    // Like wasmtime: keep only "deny warnings", so CI that denies them for the
    // workspace denies them for the components too.
    command.env(
        "RUSTFLAGS",
        if denies_warnings() { "-D warnings" } else { "" },
    );
    // The outer build reads this script's stdout for `cargo:` lines.
    command.stdout(io::stderr());

    eprintln!("running: {command:?}");
    let status = command
        .status()
        .map_err(|error| format!("running {}: {error}", cargo.to_string_lossy()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "building the policy components failed ({status}); the compiler's messages are above"
        ))
    }
}

/// Whether the outer build denies warnings.
fn denies_warnings() -> bool {
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let flags: Vec<&str> = flags.split('\x1f').collect();
    flags.contains(&"-Dwarnings") || flags.windows(2).any(|pair| pair == ["-D", "warnings"])
}
