//! Hostile policies are contained by the runtime itself: each class of
//! attack is classified as the policy's failure, bounded in time and text,
//! and leaves the host able to run the next policy. (`host/tests/containment.rs`
//! runs the same guests under `host run`.)

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use fulcrum_host::runtime::{
    ENTRY_OVERHEAD_BYTES, EvalError, EvalErrorKind, LoadError, MAX_ERROR_BYTES, PolicyEngine,
    PolicyState, PreparedPolicy, Turn,
};
use fulcrum_tests::{artifacts, engine, evaluate_once, fleet_snapshot, load, spec};

/// What the host may spend past a policy's deadline on its turn.
const SLACK: Duration = Duration::from_millis(10);

/// A deadline, in ms, roomy enough that a hostile policy's own work ends
/// well inside it even on a busy machine, for the classes not about time.
const ROOMY_MS: u64 = 500;

/// These tests take turns: each checks the wall-clock time a turn held its
/// thread, which two hostile policies spinning at once on a small machine
/// would stretch.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

fn hostile(engine: &PolicyEngine, path: &str, settings: &str, deadline_ms: u64) -> PreparedPolicy {
    engine
        .load(&spec(path, settings, Duration::from_millis(deadline_ms)))
        .unwrap_or_else(|error| panic!("{path} loads: {error}"))
}

/// One turn on the default fleet; it must fail as `kind`, within the deadline
/// and the slack, and leave the state as it was.
fn fails_as(policy: &PreparedPolicy, kind: EvalErrorKind) -> EvalError {
    let mut state = PolicyState::default();
    let Turn { outcome, held, .. } = policy.turn(&fleet_snapshot(3), &mut state);
    let error = outcome.expect_err("the hostile turn fails");
    assert_eq!(error.kind(), kind, "{error}");
    let deadline = policy.limits().deadline;
    assert!(
        held <= deadline + SLACK,
        "held {held:?} on a {deadline:?} deadline"
    );
    assert!(state.is_empty(), "a failed turn keeps no state");
    assert!(
        error.to_string().len() <= 2 * MAX_ERROR_BYTES + 256,
        "{} bytes",
        error.to_string().len()
    );
    assert!(
        !error
            .to_string()
            .chars()
            .any(|c| c.is_control() && c != '\n'),
        "{error}"
    );
    error
}

/// After a policy failed, a well-behaved one still evaluates on the engine.
fn host_goes_on(engine: &PolicyEngine) {
    let good = load(engine, artifacts::GPU_WEIGHTING, "{}").expect("gpu-weighting loads");
    assert!(
        !evaluate_once(&good, &fleet_snapshot(3))
            .unwrap()
            .decisions
            .is_empty()
    );
}

#[tokio::test(flavor = "current_thread")]
async fn guest_code_never_runs_on_the_async_runtime() {
    let engine = engine();
    // A panic prints to stderr through WASI, which on a runtime thread would
    // try to start a runtime inside the runtime and take the host down.
    let error = load(&engine, artifacts::PANICKY, "{}")
        .err()
        .expect("refused");
    let LoadError::Call {
        function, source, ..
    } = &error
    else {
        panic!("expected configure to fail, got {error}")
    };
    assert_eq!(*function, "configure");
    assert!(source.to_string().contains("configure bug"), "{source}");

    let error = load(&engine, artifacts::METADATA_PANIC, "{}")
        .err()
        .expect("refused");
    assert!(error.to_string().contains("metadata bug"), "{error}");

    let trap = load(&engine, artifacts::TRAP, "{}").unwrap();
    let error = evaluate_once(&trap, &fleet_snapshot(1)).unwrap_err();
    assert_eq!(error.kind(), EvalErrorKind::Trap);
    host_goes_on(&engine);
}

#[test]
fn rows_past_one_per_target_are_rejected_before_they_are_read() {
    let _alone = alone();
    let engine = engine();
    let flood = hostile(&engine, artifacts::FLOOD, r#"{"mode": "rows"}"#, ROOMY_MS);
    fails_as(&flood, EvalErrorKind::InvalidOutput);
    // About 60 ms of spinning and building 2 M rows on an idle 2-core
    // machine: handed over near the deadline, or interrupted on a busy one.
    let slow = hostile(
        &engine,
        artifacts::FLOOD,
        r#"{"mode": "slow-rows", "spin": 20000000}"#,
        100,
    );
    let mut state = PolicyState::default();
    let turn = slow.turn(&fleet_snapshot(3), &mut state);
    assert!(turn.outcome.is_err());
    assert!(
        turn.held <= Duration::from_millis(100) + SLACK,
        "{:?}",
        turn.held
    );
    host_goes_on(&engine);
}

#[test]
fn errors_and_reasons_of_any_size_are_cut_or_refused() {
    let _alone = alone();
    let engine = engine();
    for mode in ["huge-error", "huge-reason"] {
        let policy = hostile(
            &engine,
            artifacts::FLOOD,
            &format!(r#"{{"mode": "{mode}"}}"#),
            ROOMY_MS,
        );
        let mut state = PolicyState::default();
        let turn = policy.turn(&fleet_snapshot(3), &mut state);
        let error = turn.outcome.expect_err("fails");
        assert!(
            matches!(
                error.kind(),
                EvalErrorKind::InvalidOutput | EvalErrorKind::PolicyError
            ),
            "{mode}: {error}"
        );
        assert!(
            error.to_string().len() < 4096,
            "{mode}: {}",
            error.to_string().len()
        );
    }
    let error = load(
        &engine,
        artifacts::FLOOD,
        r#"{"mode": "huge-settings-error"}"#,
    )
    .err()
    .expect("refused");
    assert!(
        error.to_string().len() < 4096,
        "{}",
        error.to_string().len()
    );
}

#[test]
fn a_log_flood_is_dropped_and_counted() {
    let _alone = alone();
    let engine = engine();
    let policy = hostile(&engine, artifacts::FLOOD, r#"{"mode": "logs"}"#, 5_000);
    let turn = policy.turn(&fleet_snapshot(3), &mut PolicyState::default());
    turn.outcome.expect("a log flood is not a failure");
    assert_eq!(turn.dropped.log_messages, 10_000 - 8);
    assert_eq!(
        turn.dropped.truncated_texts, 8,
        "each 8 KiB message cut to 1 KiB"
    );
}

#[test]
fn text_that_would_drive_a_terminal_is_escaped_in_errors_and_kept_exact_in_reasons() {
    let _alone = alone();
    let engine = engine();
    let error = fails_as(
        &hostile(&engine, artifacts::INJECT, r#"{"mode": "error"}"#, ROOMY_MS),
        EvalErrorKind::PolicyError,
    );
    assert!(error.to_string().contains("\\u{1b}[2J"), "{error}");
    let error = fails_as(
        &hostile(&engine, artifacts::INJECT, r#"{"mode": "panic"}"#, ROOMY_MS),
        EvalErrorKind::Trap,
    );
    assert!(error.to_string().contains("\\u{1b}]0;"), "{error}");
    // A reason is data: kept exact (JSON escapes it); renderers neutralise it.
    let reasons = hostile(
        &engine,
        artifacts::INJECT,
        r#"{"mode": "reasons"}"#,
        ROOMY_MS,
    );
    let evaluation = evaluate_once(&reasons, &fleet_snapshot(3)).unwrap();
    assert!(evaluation.decisions[0].reason.contains('\u{1b}'));
}

#[test]
fn results_that_break_the_canonical_abi_are_invalid_output() {
    let _alone = alone();
    let engine = engine();
    for mode in [
        "oob-pointer",
        "bad-discriminant",
        "list-past-memory",
        "bad-utf8",
    ] {
        let policy = hostile(
            &engine,
            artifacts::ABI_BREAKER,
            &format!(r#"{{"mode": "{mode}"}}"#),
            ROOMY_MS,
        );
        let error = fails_as(&policy, EvalErrorKind::InvalidOutput);
        assert!(
            error
                .to_string()
                .contains("`decide` broke the canonical ABI"),
            "{mode}: {error}"
        );
    }
    host_goes_on(&engine);
}

#[test]
fn state_costs_the_host_a_small_multiple_of_its_quota() {
    let _alone = alone();
    let engine = engine();
    let quota = 4u64 << 20;
    let mut bomb = spec(artifacts::STATE_BOMB, "{}", Duration::from_secs(30));
    bomb.limits.state_quota_bytes = quota;
    let policy = engine.load(&bomb).unwrap();
    let mut state = PolicyState::default();
    evaluate_once_with(&policy, &mut state);
    assert!(state.used_bytes() <= quota);
    assert!(
        state.len() as u64 <= quota / ENTRY_OVERHEAD_BYTES,
        "{} tiny keys in a {quota}-byte quota",
        state.len()
    );

    // Rolled back after a timeout, on a large quota: within the deadline.
    let mut timed = spec(artifacts::STATE_BOMB, "{}", Duration::from_millis(100));
    timed.limits.state_quota_bytes = 64 << 20;
    fails_as(&engine.load(&timed).unwrap(), EvalErrorKind::Timeout);

    // The same value written over and over keeps one copy, not a journal.
    let rewrite = hostile(
        &engine,
        artifacts::STATE_BOMB,
        r#"{"mode": "rewrite"}"#,
        100,
    );
    let turn = rewrite.turn(&fleet_snapshot(3), &mut PolicyState::default());
    assert!(
        turn.held <= Duration::from_millis(100) + SLACK,
        "{:?}",
        turn.held
    );
}

fn evaluate_once_with(policy: &PreparedPolicy, state: &mut PolicyState) {
    policy
        .evaluate(&fleet_snapshot(3), state)
        .unwrap_or_else(|error| panic!("the bomb stops at its quota: {error}"));
}

#[test]
fn a_mig_layout_naming_a_gpu_twice_is_invalid_output() {
    let _alone = alone();
    let engine = engine();
    let policy = hostile(&engine, artifacts::MIG_DUP, "{}", ROOMY_MS);
    let error = fails_as(&policy, EvalErrorKind::InvalidOutput);
    assert!(
        error.to_string().contains("gpu 0 already has row 0"),
        "{error}"
    );
}

#[test]
fn metadata_is_validated_and_bounded() {
    let _alone = alone();
    let engine = engine();
    for (path, expected) in [
        (artifacts::HUGE_METADATA, "`metadata`"),
        (
            artifacts::DUP_KINDS,
            "declares action kind member-ratio twice",
        ),
        (artifacts::ESCAPE_METADATA, "control characters"),
    ] {
        let error = load(&engine, path, "{}").err().expect("refused");
        let message = error.to_string();
        assert!(message.contains(expected), "{path}: {message}");
        assert!(message.len() < 4096, "{path}: {} bytes", message.len());
        assert!(!message.chars().any(char::is_control), "{message}");
    }
}

#[test]
fn a_component_of_another_contract_version_is_refused_before_compiling() {
    let _alone = alone();
    let error = load(&engine(), artifacts::OLD_CONTRACT, "{}")
        .err()
        .expect("refused");
    let LoadError::ContractVersion { built_against, .. } = &error else {
        panic!("expected a contract version error, got {error}")
    };
    assert_eq!(built_against, "0.1.0");
}

#[test]
fn the_data_directory_cannot_be_left_or_written() {
    let _alone = alone();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "secret").unwrap();
    let data = outside.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), data.join("link")).unwrap();
    let engine = engine();
    for mode in ["dotdot", "absolute", "symlink", "write"] {
        let mut granted = spec(
            artifacts::FS_ESCAPE,
            &format!(r#"{{"mode": "{mode}"}}"#),
            Duration::from_secs(1),
        );
        granted.capabilities.data_dir = Some(data.clone());
        let policy = engine.load(&granted).unwrap();
        let error = evaluate_once(&policy, &fleet_snapshot(1)).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("policy error: {mode}: ")),
            "{mode} must fail inside the sandbox: {message}"
        );
    }
    assert!(!data.join("new-file").exists());
}
