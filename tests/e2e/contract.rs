//! The contract between host and policy: metadata, settings, output checks,
//! determinism.

use fulcrum_host::model::{Action, ActionKind};
use fulcrum_host::runtime::{EvalError, LoadError, PolicyState};
use fulcrum_tests::{artifacts, engine, evaluate_once, fleet_snapshot, load};

#[test]
fn metadata_and_imports_are_read_at_load() {
    let info = engine().inspect(artifacts::GPU_WEIGHTING.as_ref()).unwrap();
    assert_eq!(info.metadata.name, "gpu-weighting");
    assert_eq!(
        info.metadata.action_kinds,
        vec![ActionKind::MemberRatio, ActionKind::MemberState]
    );
    assert_eq!(info.digest.len(), 64);
    assert!(
        info.imports
            .iter()
            .any(|i| i.starts_with("fulcrum:policy/state@0.3")),
        "{:?}",
        info.imports
    );
}

#[test]
fn settings_are_validated_by_configure_at_load() {
    let engine = engine();
    let error = load(&engine, artifacts::EMPTY, r#"{"reject":true}"#)
        .err()
        .expect("rejected");
    let LoadError::Settings { message, .. } = &error else {
        panic!("expected rejected settings, got {error}")
    };
    assert_eq!(message, "settings.reject: rejected on purpose");

    let error = load(&engine, artifacts::GPU_WEIGHTING, r#"{"max_ratio":0}"#)
        .err()
        .expect("rejected");
    assert!(error.to_string().contains("max_ratio"), "{error}");
    let error = load(&engine, artifacts::GPU_WEIGHTING, r#"{"max_ration":10}"#)
        .err()
        .expect("rejected");
    assert!(error.to_string().contains("max_ration"), "{error}");
}

fn invalid_output(mode: &str) -> String {
    let engine = engine();
    let policy = load(
        &engine,
        artifacts::BAD_OUTPUT,
        &format!(r#"{{"mode":"{mode}"}}"#),
    )
    .unwrap();
    match evaluate_once(&policy, &fleet_snapshot(1)) {
        Err(EvalError::InvalidOutput { reason }) => reason,
        other => panic!("mode {mode}: expected invalid output, got {other:?}"),
    }
}

#[test]
fn malformed_output_is_rejected_with_the_reason() {
    assert!(invalid_output("bad-row").contains("member row 999999 does not exist"));
    assert!(invalid_output("undeclared-kind").contains("did not declare this action kind"));
    assert!(invalid_output("bad-ratio").contains("ratio 0 is out of range"));
}

#[test]
fn the_same_snapshot_gives_the_same_decisions() {
    let engine = engine();
    let policy = load(&engine, artifacts::GPU_WEIGHTING, "{}").unwrap();
    let snapshot = fleet_snapshot(6);
    let (mut a, mut b) = (PolicyState::default(), PolicyState::default());
    for _ in 0..3 {
        let first = policy.evaluate(&snapshot, &mut a).unwrap();
        let second = policy.evaluate(&snapshot, &mut b).unwrap();
        assert_eq!(first.decisions, second.decisions);
        assert_eq!(a, b);
    }
}

#[test]
fn gpu_weighting_favours_the_idle_node_over_the_busy_one() {
    let engine = engine();
    let policy = load(&engine, artifacts::GPU_WEIGHTING, r#"{"smoothing":0}"#).unwrap();
    // After a few cycles at equal ratios the older, slower node runs hottest.
    let snapshot = fleet_snapshot(6);
    let evaluation = evaluate_once(&policy, &snapshot).unwrap();
    let ratio_of = |member: u32| {
        evaluation
            .decisions
            .iter()
            .find_map(|d| match d.action {
                Action::SetMemberRatio { member: m, ratio } if m == member => Some(ratio),
                _ => None,
            })
            .unwrap_or(snapshot.members.ratio[member as usize])
    };
    let busiest = (0..3u32)
        .max_by(|&a, &b| mean_util(&snapshot, a).total_cmp(&mean_util(&snapshot, b)))
        .unwrap();
    let idlest = (0..3u32)
        .min_by(|&a, &b| mean_util(&snapshot, a).total_cmp(&mean_util(&snapshot, b)))
        .unwrap();
    assert!(
        ratio_of(idlest) > ratio_of(busiest),
        "{:?}",
        evaluation.decisions
    );
}

fn mean_util(s: &fulcrum_host::model::Snapshot, node: u32) -> f32 {
    let rows = s.node_gpus(node);
    let n = rows.len() as f32;
    s.gpus.utilization[rows].iter().sum::<f32>() / n
}
