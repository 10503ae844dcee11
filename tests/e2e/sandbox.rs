//! Misbehaving policies are stopped and classified, and the host goes on.

use std::time::Duration;

use fulcrum_host::runtime::{EvalError, EvalErrorKind, LoadError};
use fulcrum_tests::{artifacts, engine, evaluate_once, fleet_snapshot, load, spec};

/// After a policy failed, a well-behaved one still evaluates on the same engine.
fn host_goes_on(engine: &fulcrum_host::runtime::PolicyEngine) {
    let good = load(engine, artifacts::GPU_WEIGHTING, "{}").expect("gpu-weighting loads");
    let evaluation = evaluate_once(&good, &fleet_snapshot(3)).expect("gpu-weighting evaluates");
    assert!(!evaluation.decisions.is_empty());
}

#[test]
fn an_endless_loop_times_out_at_its_deadline() {
    let engine = engine();
    let policy = engine
        .load(&spec(artifacts::SPIN, "{}", Duration::from_millis(50)))
        .unwrap();
    let error = evaluate_once(&policy, &fleet_snapshot(1)).unwrap_err();
    assert_eq!(
        error,
        EvalError::Timeout {
            deadline: Duration::from_millis(50)
        }
    );
    host_goes_on(&engine);
}

#[test]
fn unbounded_allocation_is_out_of_memory() {
    let engine = engine();
    let mut spec = spec(artifacts::ALLOC_BOMB, "{}", Duration::from_secs(5));
    spec.limits.memory_bytes = 32 << 20;
    let policy = engine.load(&spec).unwrap();
    let error = evaluate_once(&policy, &fleet_snapshot(1)).unwrap_err();
    assert_eq!(
        error,
        EvalError::OutOfMemory {
            cap_bytes: 32 << 20
        }
    );
    assert!(error.to_string().contains("32 MiB cap"), "{error}");
    host_goes_on(&engine);
}

#[test]
fn unbounded_recursion_traps_as_stack_overflow() {
    let engine = engine();
    let policy = load(&engine, artifacts::RECURSE, "{}").unwrap();
    let error = evaluate_once(&policy, &fleet_snapshot(1)).unwrap_err();
    assert_eq!(error.kind(), EvalErrorKind::Trap);
    assert!(
        error.to_string().contains("call stack exhausted"),
        "{error}"
    );
    host_goes_on(&engine);
}

#[test]
fn a_panic_traps_with_its_message_and_a_wasm_backtrace() {
    let engine = engine();
    let policy = load(&engine, artifacts::TRAP, "{}").unwrap();
    let error = evaluate_once(&policy, &fleet_snapshot(1)).unwrap_err();
    let EvalError::Trap { message, backtrace } = &error else {
        panic!("expected a trap, got {error}")
    };
    assert!(
        message.contains("policy bug: index out of range"),
        "{message}"
    );
    assert!(
        backtrace.contains("decide"),
        "backtrace names the export: {backtrace}"
    );
    host_goes_on(&engine);
}

#[test]
fn a_policy_importing_the_network_loads_and_its_connection_is_denied() {
    let policy = load(&engine(), artifacts::NET, "{}").expect("loads");
    assert!(
        policy
            .info()
            .imports
            .iter()
            .any(|import| import.starts_with("wasi:sockets/"))
    );
    let error = evaluate_once(&policy, &fleet_snapshot(1)).unwrap_err();
    assert_eq!(error.kind(), EvalErrorKind::PolicyError, "{error}");
    assert!(
        error.to_string().contains("tcp failed: Permission denied"),
        "{error}"
    );
}

#[test]
fn files_that_are_not_policy_components_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine();

    let core_module = dir.path().join("core.wasm");
    std::fs::write(&core_module, b"\0asm\x01\0\0\0").unwrap();
    let error = load(&engine, core_module.to_str().unwrap(), "{}")
        .err()
        .unwrap();
    assert!(
        error.to_string().contains("core WebAssembly module"),
        "{error}"
    );

    let text = dir.path().join("policy.wasm");
    std::fs::write(&text, b"not wasm at all").unwrap();
    let error = load(&engine, text.to_str().unwrap(), "{}").err().unwrap();
    assert!(error.to_string().contains("magic number"), "{error}");

    let missing = dir.path().join("missing.wasm");
    let error = load(&engine, missing.to_str().unwrap(), "{}")
        .err()
        .unwrap();
    assert!(matches!(error, LoadError::Read { .. }), "{error}");
}

#[test]
fn the_clock_and_randomness_are_pinned_unless_granted() {
    let engine = engine();
    let policy = load(&engine, artifacts::CLOCK, "{}").unwrap();
    let snapshot = fleet_snapshot(2);
    let first = evaluate_once(&policy, &snapshot).unwrap();
    let again = evaluate_once(&policy, &snapshot).unwrap();
    let reason = &first.decisions[0].reason;
    assert!(
        reason.contains(&format!("now_ms={}", snapshot.time_ms)),
        "{reason}"
    );
    assert_eq!(
        first.decisions, again.decisions,
        "same snapshot, same random numbers"
    );

    let later = evaluate_once(&policy, &fleet_snapshot(3)).unwrap();
    assert_ne!(
        random_of(&later.decisions[0].reason),
        random_of(reason),
        "a new snapshot reseeds"
    );

    let mut granted = fulcrum_tests::spec(artifacts::CLOCK, "{}", Duration::from_millis(100));
    granted.capabilities.clocks = true;
    let policy = engine.load(&granted).unwrap();
    let real = evaluate_once(&policy, &snapshot).unwrap();
    assert!(
        !real.decisions[0]
            .reason
            .contains(&format!("now_ms={}", snapshot.time_ms))
    );
}

fn random_of(reason: &str) -> &str {
    reason
        .split("random=")
        .nth(1)
        .expect("reason carries random=")
}

#[test]
fn a_data_directory_is_readable_only_when_granted_and_never_writable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("threshold.txt"), "0.75\n").unwrap();
    let engine = engine();

    let ungranted = load(&engine, artifacts::READ_DATA, "{}").unwrap();
    let error = evaluate_once(&ungranted, &fleet_snapshot(1)).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("cannot read /data/threshold.txt"),
        "{error}"
    );

    let mut granted = spec(artifacts::READ_DATA, "{}", Duration::from_millis(100));
    granted.capabilities.data_dir = Some(dir.path().to_owned());
    let policy = engine.load(&granted).unwrap();
    let evaluation = evaluate_once(&policy, &fleet_snapshot(1)).unwrap();
    assert_eq!(evaluation.decisions[0].reason, "read=0.75 write=denied");
    assert!(!dir.path().join("out.txt").exists());
}

#[test]
fn a_component_of_another_world_is_refused_with_the_reason() {
    let error = load(&engine(), artifacts::COMMAND, "{}")
        .err()
        .expect("refused");
    assert!(matches!(error, LoadError::WrongWorld { .. }), "{error}");
    let message = error.to_string();
    assert!(
        message.contains("not a component of the fulcrum:policy@0.3.0 world"),
        "{message}"
    );
}
