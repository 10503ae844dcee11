//! What a policy writes to stdout and stderr — a Python `print`, a
//! JavaScript `console.log` — reaches the host's log as the policy's own
//! records, a line each, neutralised, and bounded per evaluation with a note
//! of what was dropped.

use std::process::{Command, Output};

use fulcrum_plugin_artifacts as artifacts;

/// `host plan` on one node with the print policy and `settings` (TOML
/// inline-table body), the policy's records logged at info. The deadline is
/// generous: what is checked is the output, not how fast it is handled.
fn plan_printing(settings: &str) -> Output {
    plan_with(artifacts::PRINT, settings)
}

/// `host plan` on one node with the policy at `path` and `settings`.
fn plan_with(path: &str, settings: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fulcrum.toml");
    let body = format!(
        "[fleet]\nnodes = 1\n[[policies]]\npath = {:?}\ndeadline_ms = 30000\nsettings = {{ {settings} }}\n\
         [[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"mlPool\"]\n",
        path
    );
    std::fs::write(&config, body).unwrap();
    let _alone = crate::common::alone();
    let out = Command::new(env!("CARGO_BIN_EXE_host"))
        .args(["plan", "--no-cache", "--config", config.to_str().unwrap()])
        .env("RUST_LOG", "warn,policy=info")
        .output()
        .expect("host runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("evaluation failed"),
        "{stderr}"
    );
    out
}

/// The policy's records in the log: lines of `policy:` from test-print.
fn policy_records(out: &Output) -> Vec<String> {
    records_of(out, "test-print")
}

/// The records of policy `name` in the log.
fn records_of(out: &Output, name: &str) -> Vec<String> {
    let marker = format!("policy=\"{name}\"");
    String::from_utf8(out.stderr.clone())
        .unwrap()
        .lines()
        .filter(|line| line.contains(" policy: ") && line.contains(&marker))
        .map(str::to_owned)
        .collect()
}

#[test]
fn an_unmodified_python_policy_prints_into_the_log() {
    let out = plan_with(artifacts::interpreted::python_print(), "");
    let records = records_of(&out, "test-python-print");
    let with = |text: &str| records.iter().filter(|r| r.contains(text)).count();
    // Python's own time and random modules work: the clock is the one the
    // sandbox pins to the snapshot (a real date, not zero).
    let seen: Vec<u64> = records
        .iter()
        .filter_map(|r| r.split("policy: python sees ").nth(1))
        .filter_map(|rest| rest.split(" nodes at ").nth(1))
        .filter_map(|rest| rest.split(" s, drew 0.").next())
        .filter_map(|seconds| seconds.parse().ok())
        .collect();
    assert!(seen.len() == 1 && seen[0] > 1_700_000_000, "{records:#?}");
    assert_eq!(with("policy: python warns on stderr"), 1, "{records:#?}");
    assert_eq!(
        with("policy: python logged through the host"),
        1,
        "{records:#?}"
    );
}

#[test]
fn printed_lines_are_the_policys_log_records_neutralised() {
    let out = plan_printing("");
    let records = policy_records(&out);
    let with = |text: &str| records.iter().filter(|r| r.contains(text)).count();
    // `configure` runs when the policy loads and again in the evaluation.
    assert_eq!(with("policy: configured "), 2, "{records:#?}");
    assert_eq!(with("policy: deciding policy="), 1, "{records:#?}");
    let forged: Vec<_> = records.iter().filter(|r| r.contains("forged")).collect();
    assert_eq!(forged.len(), 1, "{records:#?}");
    assert!(
        forged[0].contains(r"policy: forged\u{1b}[2J policy=")
            && forged[0].contains(" WARN ")
            && forged[0].contains("stream=\"stderr\""),
        "{}",
        forged[0]
    );
    assert_eq!(
        with("policy: 2026-01-01 INFO host: all good policy="),
        1,
        "the line after the break is a record of its own, marked as the policy's: {records:#?}"
    );
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(
        !stderr.contains('\x1b')
            && !stderr
                .lines()
                .any(|l| l.starts_with("2026-01-01 INFO host")),
        "no escape or forged line reaches the log: {stderr}"
    );
    assert_eq!(
        with("policy: unfinished policy="),
        1,
        "a line still open when decide returns is written then: {records:#?}"
    );
}

#[test]
fn output_past_the_per_evaluation_bound_is_dropped_with_a_note() {
    let out = plan_printing("lines = 100, line_bytes = 4000");
    let records = policy_records(&out);
    let kept: Vec<_> = records.iter().filter(|r| r.contains(": line ")).collect();
    assert!(
        !kept.is_empty() && kept.len() < 10,
        "8 KiB of output holds a handful of 1 KiB lines: {records:#?}"
    );
    assert!(
        kept.iter().all(|r| r.contains("… (4000 bytes in all)")),
        "each long line is cut to 1 KiB and says how long it was: {kept:#?}"
    );
    let notes: Vec<_> = records
        .iter()
        .filter(|r| r.contains("lines of output past the per-evaluation bound"))
        .collect();
    assert_eq!(notes.len(), 1, "{records:#?}");
    let dropped = 100 + 1 - kept.len();
    assert!(
        notes[0].contains(&format!("dropped {dropped} lines")),
        "the note counts every dropped line, the unfinished one too: {}",
        notes[0]
    );
}
