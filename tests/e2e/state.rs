//! Policy state: kept across evaluations, never written by a failed one.

use fulcrum_host::model::Action;
use fulcrum_host::runtime::{EvalErrorKind, PolicyState};
use fulcrum_tests::{artifacts, engine, fleet_snapshot, load};

fn count_in(state: &PolicyState) -> u64 {
    let bytes = state.get("count").expect("the counter is kept");
    u64::from_le_bytes(bytes[..8].try_into().unwrap())
}

#[test]
fn state_persists_across_evaluations() {
    let engine = engine();
    let policy = load(&engine, artifacts::STATE_COUNTER, "{}").unwrap();
    let snapshot = fleet_snapshot(1);
    let mut state = PolicyState::default();
    for expected in 1..=3u32 {
        let evaluation = policy.evaluate(&snapshot, &mut state).unwrap();
        assert_eq!(
            evaluation.decisions[0].action,
            Action::SetMemberRatio {
                member: 0,
                ratio: expected
            }
        );
        assert_eq!(evaluation.decisions[0].reason, format!("count={expected}"));
    }
    assert_eq!(count_in(&state), 3);
}

#[test]
fn a_failed_evaluation_leaves_the_state_as_it_was() {
    let engine = engine();
    let counting = load(&engine, artifacts::STATE_COUNTER, "{}").unwrap();
    let failing = load(
        &engine,
        artifacts::STATE_COUNTER,
        r#"{"fail_after_write":true}"#,
    )
    .unwrap();
    let snapshot = fleet_snapshot(1);
    let mut state = PolicyState::default();
    counting.evaluate(&snapshot, &mut state).unwrap();
    let before = state.clone();
    let error = failing.evaluate(&snapshot, &mut state).unwrap_err();
    assert_eq!(error.kind(), EvalErrorKind::PolicyError);
    assert_eq!(error.to_string(), "policy error: failed on purpose");
    assert_eq!(state, before);
    assert_eq!(count_in(&state), 1);
}
