//! Hostile policies under `host run`, beside a well-behaved one: the host
//! exits 0, the well-behaved policy is evaluated every cycle, the hostile one
//! fails with the right classification and holds its thread no longer than
//! its deadline plus 10 ms, the output stays under 64 KiB a cycle, and no
//! control character of the guest's reaches stdout or stderr. Policies that
//! cannot be loaded are refused within seconds, naming the problem.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fulcrum_plugin_artifacts as artifacts;

const CYCLES: usize = 3;
const PER_CYCLE_OUTPUT: usize = 64 << 10;
const SLACK_MS: f64 = 10.0;

fn host() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_host"));
    command.arg("--no-cache");
    command
}

/// A hostile policy's `[[policies]]` entry: its file, settings (a TOML
/// inline table) and limits.
struct Hostile<'a> {
    path: &'a str,
    settings: &'a str,
    deadline_ms: u64,
    extra: &'a str,
}

impl Hostile<'_> {
    /// A deadline roomy enough that the policy's own work ends well inside
    /// it even on a busy machine, so its failure is what it did, not time;
    /// the classes that are about time set a short one.
    fn new<'a>(path: &'a str, settings: &'a str) -> Hostile<'a> {
        Hostile {
            path,
            settings,
            deadline_ms: 500,
            extra: "",
        }
    }
}

/// Run gpu-weighting and `hostile` for [`CYCLES`] cycles on the embedded
/// fleet and check what holds whether or not the hostile policy fails: exit
/// 0, bounded output without raw control characters, gpu-weighting
/// evaluated every cycle. Stdout and stderr come back.
fn run_beside(hostile: &Hostile<'_>) -> (String, String) {
    // One host at a time: each evaluates two policies on threads of their
    // own, and the time a turn holds its thread is measured on the wall
    // clock, which other hosts sharing the cores would stretch.
    let _alone = crate::common::alone();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fulcrum.toml");
    std::fs::write(
        &config,
        format!(
            "[engine]\nquarantine_after = 100\nstate_dir = {state:?}\n\
             [[policies]]\npath = {good:?}\n\
             [[policies.grant]]\nactions = [\"member-ratio\", \"member-state\"]\npools = [\"mlPool\"]\n\
             [[policies]]\npath = {path:?}\ndeadline_ms = {deadline}\nsettings = {settings}\n{extra}\n",
            state = dir.path().join("state"),
            good = artifacts::GPU_WEIGHTING,
            path = hostile.path,
            deadline = hostile.deadline_ms,
            settings = hostile.settings,
            extra = hostile.extra,
        ),
    )
    .unwrap();
    let out = host()
        .args(["run", "--config", config.to_str().unwrap()])
        .args(["--cycles", &CYCLES.to_string(), "--interval", "0s"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{stdout}");
    assert!(
        out.stdout.len() + out.stderr.len() < CYCLES * PER_CYCLE_OUTPUT,
        "{} bytes of stdout and {} of stderr in {CYCLES} cycles",
        out.stdout.len(),
        out.stderr.len()
    );
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if let Some(c) = raw_control(bytes) {
            panic!(
                "{name} holds the raw control character {c:?}:\n{}",
                text(bytes)
            );
        }
    }
    let headers: Vec<&str> = stdout.lines().filter(|l| l.starts_with("cycle ")).collect();
    assert_eq!(headers.len(), CYCLES, "{stdout}");
    for header in &headers {
        assert!(
            header.contains("gpu-weighting ") && !header.contains("gpu-weighting FAILED"),
            "the well-behaved policy is evaluated every cycle: {header}"
        );
    }
    // What the run recorded, and a plan with the same policies, read as
    // an operator would.
    let config = config.to_str().unwrap();
    for args in [["audit", "--config", config], ["plan", "--config", config]] {
        let out = host().args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.len() + out.stderr.len() < CYCLES * PER_CYCLE_OUTPUT);
        for bytes in [&out.stdout, &out.stderr] {
            assert_eq!(
                raw_control(bytes),
                None,
                "host {}: {}",
                args[0],
                text(bytes)
            );
        }
    }
    (stdout, stderr)
}

/// [`run_beside`], where the hostile policy must fail every cycle, holding
/// its thread no longer than its deadline and 10 ms; its failure lines come
/// back for the class's own checks.
fn contained(hostile: &Hostile<'_>) -> Vec<String> {
    let (stdout, _) = run_beside(hostile);
    let name = hostile_name(&stdout);
    for header in stdout.lines().filter(|l| l.starts_with("cycle ")) {
        let held = held_ms(header, &name);
        assert!(
            held <= hostile.deadline_ms as f64 + SLACK_MS,
            "{name} held its thread {held} ms on a {} ms deadline: {header}",
            hostile.deadline_ms
        );
    }
    let failures: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with(&format!("  {name} failed: ")))
        .map(str::to_owned)
        .collect();
    assert_eq!(failures.len(), CYCLES, "{stdout}");
    failures
}

/// The hostile policy's name: the one beside gpu-weighting in the headers.
fn hostile_name(stdout: &str) -> String {
    let header = stdout.lines().find(|l| l.starts_with("cycle ")).unwrap();
    let failed = header
        .split("  ")
        .find(|part| part.contains(" FAILED "))
        .unwrap_or_else(|| panic!("the hostile policy fails: {header}"));
    failed.split(' ').next().unwrap().to_owned()
}

/// "NAME FAILED 12.34 ms" in a cycle header: the milliseconds.
fn held_ms(header: &str, name: &str) -> f64 {
    let rest = header
        .split(&format!("{name} FAILED "))
        .nth(1)
        .unwrap_or_else(|| panic!("{name} failed this cycle: {header}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

fn raw_control(bytes: &[u8]) -> Option<char> {
    text(bytes).chars().find(|&c| c.is_control() && c != '\n')
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn rows_without_bound_are_invalid_output_rejected_whole() {
    for failure in contained(&Hostile::new(artifacts::FLOOD, "{ mode = \"rows\" }")) {
        assert!(failure.contains("invalid output"), "{failure}");
    }
}

#[test]
fn rows_handed_over_at_the_deadline_are_cut_off_at_it() {
    // About 60 ms of spinning and building 2 M rows on an idle 2-core
    // machine: handed over near the deadline, or interrupted on a busy one.
    let mut hostile = Hostile::new(
        artifacts::FLOOD,
        "{ mode = \"slow-rows\", spin = 20000000 }",
    );
    hostile.deadline_ms = 100;
    for failure in contained(&hostile) {
        assert!(
            failure.contains("timed out") || failure.contains("invalid output"),
            "{failure}"
        );
    }
}

#[test]
fn huge_errors_reasons_and_logs_are_cut_to_their_caps() {
    for mode in ["huge-error", "huge-reason"] {
        for failure in contained(&Hostile::new(
            artifacts::FLOOD,
            &format!("{{ mode = {mode:?} }}"),
        )) {
            assert!(
                failure.len() < 4096,
                "{} bytes: {failure:.200}",
                failure.len()
            );
        }
    }
    let mut logs = Hostile::new(artifacts::FLOOD, "{ mode = \"logs\" }");
    logs.deadline_ms = 2_000;
    let (stdout, _) = run_beside(&logs);
    assert!(
        stdout.contains("test-flood: dropped 9992 log messages past the per-evaluation bound"),
        "what was dropped is counted: {stdout}"
    );
}

#[test]
fn a_state_bomb_times_out_within_its_deadline() {
    let mut hostile = Hostile::new(artifacts::STATE_BOMB, "{}");
    hostile.deadline_ms = 100;
    hostile.extra = "state_quota_kib = 65536";
    for failure in contained(&hostile) {
        assert!(failure.contains("timed out"), "{failure}");
    }
}

#[test]
fn terminal_escapes_never_reach_the_terminal_or_the_log() {
    for mode in ["error", "panic"] {
        contained(&Hostile::new(
            artifacts::INJECT,
            &format!("{{ mode = {mode:?} }}"),
        ));
    }
    // These two evaluate: the reason is shown and the message logged, escaped.
    let mut reasons = Hostile::new(artifacts::INJECT, "{ mode = \"reasons\" }");
    // Granted, and first on its target, so its reason is planned and shown.
    reasons.extra =
        "priority = 10\n[[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"mlPool\"]";
    let (stdout, _) = run_beside(&reasons);
    assert!(stdout.contains("\\u{1b}[2J"), "{stdout}");
    let (_, stderr) = run_beside(&Hostile::new(artifacts::INJECT, "{ mode = \"log\" }"));
    assert!(
        stderr.contains("[2J") && stderr.contains("FORGED ROW policy=\"test-inject\""),
        "the message is logged, escaped, on one line: {stderr}"
    );
}

#[test]
fn output_that_breaks_the_canonical_abi_is_the_policys_invalid_output() {
    for mode in [
        "oob-pointer",
        "bad-discriminant",
        "list-past-memory",
        "bad-utf8",
    ] {
        for failure in contained(&Hostile::new(
            artifacts::ABI_BREAKER,
            &format!("{{ mode = {mode:?} }}"),
        )) {
            assert!(failure.contains("invalid output"), "{mode}: {failure}");
            assert!(!failure.contains("host error"), "{mode}: {failure}");
        }
    }
}

/// `host check FILE` (or `host run` on it), which must fail with exit 1
/// within 5 s; its stderr.
fn refused(args: &[&str]) -> String {
    let _alone = crate::common::alone();
    let started = Instant::now();
    let out = host().args(args).output().unwrap();
    let took = started.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
    assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
    assert_eq!(raw_control(&out.stderr), None, "{stderr}");
    assert!(stderr.len() < 4096, "{} bytes: {stderr:.300}", stderr.len());
    stderr
}

#[test]
fn a_panic_in_configure_or_metadata_is_a_load_error_not_a_crash() {
    let stderr = refused(&["run", "--policy", artifacts::PANICKY, "--cycles", "1"]);
    assert!(
        stderr.contains("`configure` failed") && stderr.contains("configure bug"),
        "{stderr}"
    );
    let stderr = refused(&[
        "run",
        "--policy",
        artifacts::METADATA_PANIC,
        "--cycles",
        "1",
    ]);
    assert!(
        stderr.contains("`metadata` failed") && stderr.contains("metadata bug"),
        "{stderr}"
    );
    let stderr = refused(&["check", artifacts::METADATA_PANIC]);
    assert!(stderr.contains("metadata bug"), "{stderr}");
}

#[test]
fn metadata_and_settings_errors_of_any_size_are_refused_briefly() {
    let stderr = refused(&["check", artifacts::HUGE_METADATA]);
    assert!(stderr.contains("metadata"), "{stderr}");
    let stderr = refused(&["check", artifacts::DUP_KINDS]);
    assert!(
        stderr.contains("declares action kind member-ratio twice"),
        "{stderr}"
    );
    let stderr = refused(&["check", artifacts::ESCAPE_METADATA]);
    assert!(stderr.contains("control characters"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fulcrum.toml");
    std::fs::write(
        &config,
        format!(
            "[[policies]]\npath = {:?}\nsettings = {{ mode = \"huge-settings-error\" }}\n",
            artifacts::FLOOD
        ),
    )
    .unwrap();
    let stderr = refused(&["run", "--config", config.to_str().unwrap(), "--cycles", "1"]);
    assert!(stderr.contains("configure"), "{stderr}");
}

#[test]
fn another_contract_version_is_refused_naming_both() {
    let stderr = refused(&["check", artifacts::OLD_CONTRACT]);
    assert!(
        stderr.contains("contract version 0.1.0")
            && stderr.contains("fulcrum:policy@0.3.0")
            && stderr.contains("deprecated 0.2.0"),
        "{stderr}"
    );
}

#[test]
fn what_is_not_a_regular_file_is_refused_without_reading_it() {
    let stderr = refused(&["check", "/dev/zero"]);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("policy.wasm");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let stderr = refused(&["check", fifo.to_str().unwrap()]);
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn a_component_too_large_or_with_too_many_functions_is_refused_before_compiling() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = dir.path().join("bomb.wasm");
    std::fs::write(&bomb, function_bomb(1_000_000)).unwrap();
    let stderr = refused(&["check", bomb.to_str().unwrap()]);
    assert!(
        stderr.contains("functions; a policy may define at most"),
        "{stderr}"
    );

    let huge = dir.path().join("huge.wasm");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(65 << 20).unwrap();
    let stderr = refused(&["check", huge.to_str().unwrap()]);
    assert!(
        stderr.contains("a policy may be at most 64 MiB"),
        "{stderr}"
    );
}

/// A component whose one core module defines `functions` empty functions:
/// about 4 bytes each, so a million fit in a few MiB.
fn function_bomb(functions: u32) -> Vec<u8> {
    use wasm_encoder::{
        CodeSection, Component, Function, FunctionSection, Module, ModuleSection, TypeSection,
    };
    let mut types = TypeSection::new();
    types.ty().function([], []);
    let mut declared = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut body = Function::new([]);
    body.instructions().end();
    for _ in 0..functions {
        declared.function(0);
        code.function(&body);
    }
    let mut module = Module::new();
    module.section(&types).section(&declared).section(&code);
    let mut component = Component::new();
    component.section(&ModuleSection(&module));
    component.finish()
}

#[test]
fn a_running_host_keeps_its_policy_when_the_file_turns_hostile() {
    let _alone = crate::common::alone();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.wasm");
    std::fs::copy(artifacts::GPU_WEIGHTING, &policy).unwrap();
    let mut child = host()
        .args(["run", "--policy", policy.to_str().unwrap()])
        .args(["--cycles", "40", "--interval", "50ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut swaps = vec![
        write_bomb(dir.path()),
        PathBuf::from(artifacts::OLD_CONTRACT),
        PathBuf::from(artifacts::PANICKY),
    ];
    let (mut lines, mut waiting, mut reloads_failed) = (Vec::new(), false, 0);
    for line in stdout.lines() {
        let line = line.unwrap();
        if line.contains("reload failed, the running version stays") {
            reloads_failed += 1;
            waiting = false;
        } else if line.starts_with("cycle ")
            && !waiting
            && let Some(next) = swaps.pop()
        {
            replace(&policy, &next);
            waiting = true;
        }
        lines.push(line);
    }
    let status = child.wait().unwrap();
    let stdout = lines.join("\n");
    assert!(status.success(), "{stdout}");
    assert_eq!(
        reloads_failed, 3,
        "every hostile file was refused: {stdout}"
    );
    let cycles = lines.iter().filter(|l| l.starts_with("cycle ")).count();
    assert_eq!(cycles, 40, "{stdout}");
    assert!(
        lines
            .iter()
            .filter(|l| l.starts_with("cycle "))
            .all(|l| l.contains("gpu-weighting ") && !l.contains("FAILED")),
        "the running version was evaluated every cycle: {stdout}"
    );
}

fn write_bomb(dir: &Path) -> PathBuf {
    let bomb = dir.join("bomb-source.wasm");
    std::fs::write(&bomb, function_bomb(1_000_000)).unwrap();
    bomb
}

/// Replace `path` with a copy of `with`, atomically, as a deploy would.
fn replace(path: &Path, with: &Path) {
    let staged = path.with_extension("staged");
    std::fs::copy(with, &staged).unwrap();
    std::fs::rename(&staged, path).unwrap();
}
