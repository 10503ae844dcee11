//! Plans against a small snapshot: what changes, what already holds, how
//! targets are named.

use super::*;
use crate::model::{
    Availability, GroupSample, InstanceAction, InstanceSample, InstanceStatus, MemberSample,
    MemberState, SnapshotBuilder,
};

fn snapshot() -> Snapshot {
    let mut builder = SnapshotBuilder::new();
    let member = |name, address| MemberSample {
        name,
        address,
        port: 80,
        ratio: 10,
        state: MemberState::Enabled,
        availability: Availability::Available,
        current_connections: 0,
        connection_limit: 0,
    };
    builder.pool(
        "mlPool",
        "Common",
        "ratio-member",
        &[
            member("ml-node-1:80", "127.0.1.1"),
            member("ml-node-2:80", "127.0.1.2"),
        ],
    );
    builder.instance_group(
        &GroupSample {
            name: "tf-instance-group-manager",
            location: "us-central1-a",
            target_size: 3,
            current_size: 3,
            min_size: 1,
            max_size: 10,
            backend: Some(("tf-backend-service", 1.0)),
        },
        &[InstanceSample {
            name: "tf-1",
            status: InstanceStatus::Running,
            action: InstanceAction::None,
            serving: true,
            last_error: None,
        }],
    );
    builder.build(7, 1_000)
}

fn decision(action: Action) -> Decision {
    Decision {
        action,
        reason: "because".into(),
    }
}

#[test]
fn changes_name_their_targets_and_carry_before_and_after() {
    let s = snapshot();
    let decisions = [
        decision(Action::SetMemberRatio {
            member: 1,
            ratio: 40,
        }),
        decision(Action::SetMemberState {
            member: 0,
            state: MemberState::Disabled,
        }),
        decision(Action::ResizeGroup {
            group: 0,
            target_size: 5,
        }),
        decision(Action::SetCapacityScaler {
            group: 0,
            scaler: 0.5,
        }),
    ];
    let plan = Plan::new(&s, decisions.iter().map(|d| ("p", d)));
    let lines: Vec<String> = plan.changes.iter().map(|c| c.change.to_string()).collect();
    assert_eq!(
        lines,
        [
            "mlPool/ml-node-2:80 ratio 10 → 40",
            "mlPool/ml-node-1:80 state enabled → disabled",
            "us-central1-a/tf-instance-group-manager size 3 → 5",
            "tf-backend-service/tf-instance-group-manager capacity scaler 1 → 0.5",
        ]
    );
    assert_eq!(plan.unchanged, 0);
    assert!(
        plan.changes
            .iter()
            .all(|c| c.policy == "p" && c.reason == "because")
    );
}

#[test]
fn decisions_that_already_hold_plan_nothing() {
    let s = snapshot();
    let decisions = [
        decision(Action::SetMemberRatio {
            member: 0,
            ratio: 10,
        }),
        decision(Action::SetMemberState {
            member: 1,
            state: MemberState::Enabled,
        }),
        decision(Action::ResizeGroup {
            group: 0,
            target_size: 3,
        }),
    ];
    let plan = Plan::new(&s, decisions.iter().map(|d| ("p", d)));
    assert!(plan.is_empty());
    assert_eq!(plan.unchanged, 3);
    assert!(render(&plan).ends_with("0 change(s), 3 decision(s) already held\n"));
}

#[test]
fn a_plan_survives_a_round_trip_through_json() {
    let s = snapshot();
    let ratio = decision(Action::SetMemberRatio {
        member: 0,
        ratio: 3,
    });
    let plan = Plan::new(&s, [("p", &ratio)]);
    let json = serde_json::to_string(&plan).unwrap();
    assert!(json.contains(r#""kind":"member-ratio""#), "{json}");
    assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
}
