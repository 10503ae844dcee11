//! `[[policies.grant]]`: what a grant allows once read, and every problem
//! with one, named by policy, grant, key and line.

use std::path::Path;

use super::problems;
use crate::config::RunConfig;
use crate::guard::{Grants, Target};
use crate::model::ActionKind;

fn grants(tables: &str) -> Grants {
    let text = format!("[[policies]]\npath = \"p.wasm\"\n{tables}");
    RunConfig::parse(&text, Path::new("."))
        .unwrap_or_else(|problems| panic!("{problems:?}"))
        .policies
        .remove(0)
        .grants
}

fn member(pool: &str) -> Target {
    Target::Member {
        pool: pool.into(),
        member: "n1:8080".into(),
    }
}

#[test]
fn grants_cover_only_their_kinds_and_names() {
    let g = grants(
        r#"
        [[policies.grant]]
        actions = ["member-ratio"]
        pools = ["mlPool", "ml-*"]
        [[policies.grant]]
        actions = ["group-size"]
        groups = ["tf-*"]
        "#,
    );
    assert!(g.allows(ActionKind::MemberRatio, &member("mlPool")));
    assert!(g.allows(ActionKind::MemberRatio, &member("ml-east")));
    assert!(!g.allows(ActionKind::MemberState, &member("mlPool")));
    let group = Target::Group {
        name: "tf-ig".into(),
        location: "us-central1-a".into(),
    };
    assert!(g.allows(ActionKind::GroupSize, &group));
    assert!(!g.allows(ActionKind::CapacityScaler, &group));
    assert_eq!(grants(""), Grants::default());
}

#[test]
fn bad_grants_report_every_problem_with_its_position() {
    let problems = problems(
        r#"[[policies]]
path = "p.wasm"
[[policies.grant]]
actions = ["member-ratio", "drain"]
groups = ["tf-*", ""]
[[policies.grant]]
actions = []
"#,
    );
    assert_eq!(
        problems,
        [
            "policies[0].grant[0].actions (line 4): unknown action kind \"drain\"; expected one \
             of: member-ratio, member-state, capacity-scaler, group-size, mig-layout",
            "policies[0].grant[0].pools (line 3): action member-ratio needs `pools`, and none \
             are listed",
            "policies[0].grant[0].groups (line 5): `groups` is listed, but none of the granted \
             actions change groups",
            "policies[0].grant[0].groups (line 5): `groups` entry \"\": a name may not be empty",
            "policies[0].grant[1].actions (line 7): `actions` is empty",
        ]
    );
}

#[test]
fn unknown_keys_are_refused() {
    let err = &problems(
        "[[policies]]\npath = \"p.wasm\"\n[[policies.grant]]\nactions = [\"member-ratio\"]\n\
         pool = [\"mlPool\"]\n",
    )[0];
    assert!(err.contains("unknown field `pool`"), "{err}");
    assert!(err.contains("line 5"), "{err}");
}
