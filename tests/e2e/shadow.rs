//! Shadow policies on the embedded demo: evaluated every cycle beside the
//! live policy, compared with what is applied, recorded in the audit and
//! counted in the metrics, and never applied, granted or able to quarantine
//! the live policy.

use fulcrum_host::config::{PolicyConfig, PolicyMode, RunConfig};
use fulcrum_host::engine::{Mode, RunOutcome};
use fulcrum_host::guard::Grants;
use fulcrum_host::plan::Change;
use fulcrum_host::sim::FleetConfig;
use fulcrum_tests::{World, artifacts};

fn live_weighting() -> PolicyConfig {
    PolicyConfig::from_command_line(artifacts::GPU_WEIGHTING.into())
}

/// gpu-weighting with a lower ceiling, in the shadow, its config granting
/// it everything.
fn shadow_weighting() -> PolicyConfig {
    let mut shadow = PolicyConfig::shadow_from_command_line(artifacts::GPU_WEIGHTING.into());
    shadow.spec.settings = serde_json::json!({ "max_ratio": 40 });
    shadow
}

#[test]
fn a_shadow_in_the_config_file_is_granted_nothing() {
    let text = "[[policies]]\npath = \"p.wasm\"\nmode = \"shadow\"\n[[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"*\"]\n";
    let config = RunConfig::parse(text, std::path::Path::new(".")).unwrap();
    assert_eq!(config.policies[0].mode, PolicyMode::Shadow);
    assert_eq!(config.policies[0].grants, Grants::default());
    let bad = "[[policies]]\npath = \"p.wasm\"\nmode = \"ghost\"\n";
    let problems = RunConfig::parse(bad, std::path::Path::new(".")).unwrap_err();
    assert_eq!(problems[0].line, Some(3), "{problems:?}");
    assert!(
        problems[0].message.contains("unknown variant `ghost`"),
        "{problems:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shadow_is_compared_recorded_and_counted_but_never_applied() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::start_with_store(
        FleetConfig::default(),
        vec![live_weighting(), shadow_weighting()],
        Some(dir.path()),
    )
    .await;
    let mut differed = false;
    let mut last_applied = std::collections::BTreeMap::new();
    for _ in 0..6 {
        let report = world.cycle(Mode::Apply).await;
        assert!(report.runs[1].shadow);
        assert!(matches!(report.runs[1].outcome, RunOutcome::Evaluated(_)));
        // Everything planned (and applied) is the live policy's.
        assert!(
            report
                .plan
                .changes
                .iter()
                .all(|c| c.policy == "gpu-weighting")
        );
        let applied: Vec<&Change> = report.plan.changes.iter().map(|c| &c.change).collect();
        let [shadow] = report.shadows.as_slice() else {
            panic!("one shadow comparison: {:?}", report.shadows)
        };
        let changes = &shadow.changes;
        // Every applied change is either the shadow's too or listed as only
        // the live one's.
        assert_eq!(changes.same.len() + changes.only_live.len(), applied.len());
        for change in &changes.only_candidate {
            assert!(!applied.contains(&change), "{change} was applied");
        }
        differed |= !changes.only_candidate.is_empty();
        // The BIG-IP holds the ratios the live policy set last cycle.
        let snapshot = &report.snapshot;
        for (member, ratio) in &last_applied {
            let row = (0..snapshot.members.name.len())
                .find(|&m| snapshot.string(snapshot.members.name[m]) == member)
                .unwrap();
            assert_eq!(snapshot.members.ratio[row], *ratio, "{member}");
        }
        for planned in &report.plan.changes {
            if let Change::MemberRatio { member, to, .. } = &planned.change {
                last_applied.insert(member.clone(), *to);
            }
        }
    }
    assert!(
        differed,
        "a lower ceiling makes the shadow differ at some point"
    );
    let audit = world.audit();
    assert!(audit.iter().all(|record| record.shadows.len() == 1));
    assert!(
        audit
            .iter()
            .flat_map(|r| &r.policies)
            .any(|p| p.shadow && p.policy == "gpu-weighting")
    );
    let metrics = world.metrics.encode();
    for agreement in ["same", "shadow-only", "live-only"] {
        assert!(
            metrics.contains(&format!(
                "fulcrum_shadow_decisions_total{{policy=\"gpu-weighting\",agreement=\"{agreement}\"}}"
            )),
            "{metrics}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_shadow_never_quarantines_the_live_policy() {
    let mut world = World::start(
        FleetConfig::default(),
        vec![
            live_weighting(),
            PolicyConfig::shadow_from_command_line(artifacts::TRAP.into()),
        ],
    )
    .await;
    let mut last = None;
    for _ in 0..7 {
        last = Some(world.cycle(Mode::Apply).await);
    }
    let report = last.unwrap();
    assert!(matches!(report.runs[0].outcome, RunOutcome::Evaluated(_)));
    assert!(matches!(report.runs[1].outcome, RunOutcome::Quarantined(_)));
    assert!(report.shadows.is_empty());
}
