//! What the operator lets each policy change: action kinds on named pools,
//! instance groups and nodes. Nothing is granted by default; a policy with no
//! grant can propose, but every action it proposes is rejected.
//!
//! In a policy's configuration, each `[[policies.grant]]` table grants some
//! action kinds on the targets its name lists match:
//!
//! ```toml
//! [[policies.grant]]
//! actions = ["member-ratio", "member-state"]
//! pools = ["mlPool", "ml-*"]          # member kinds need `pools`
//!
//! [[policies.grant]]
//! actions = ["group-size", "capacity-scaler"]
//! groups = ["tf-instance-group-*"]    # group kinds need `groups`
//!
//! [[policies.grant]]
//! actions = ["mig-layout"]
//! nodes = ["gpu-node-?"]              # `mig-layout` needs `nodes`
//! ```
//!
//! A name is exact unless it holds `*` (any run of characters, also none) or
//! `?` (exactly one character). A grant whose actions lack the list their
//! targets need, or that lists targets none of its actions use, is a
//! configuration error, so a grant never silently means less than it reads.

use std::fmt;

use serde::Deserialize;

use super::target::Target;
use crate::model::ActionKind;

/// Every grant of one policy; the default grants nothing.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(try_from = "Vec<GrantToml>")]
pub struct Grants {
    grants: Vec<Grant>,
}

/// Some action kinds on the targets matching some names.
#[derive(Debug, Clone, PartialEq)]
struct Grant {
    kinds: Vec<ActionKind>,
    /// Each pattern with the list it came from (`pools`, `groups`, `nodes`).
    targets: Vec<(&'static str, NamePattern)>,
}

/// One `[[policies.grant]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GrantToml {
    actions: Vec<String>,
    #[serde(default)]
    pools: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    nodes: Vec<String>,
}

/// Which list names the targets of an action kind.
fn scope_field(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::MemberRatio | ActionKind::MemberState => "pools",
        ActionKind::CapacityScaler | ActionKind::GroupSize => "groups",
        ActionKind::MigLayout => "nodes",
    }
}

impl Grants {
    /// Every action kind on every target: what a policy named on the command
    /// line gets, since the operator chose it there directly.
    pub fn everything() -> Grants {
        let any = || NamePattern(vec!['*']);
        Grants {
            grants: vec![Grant {
                kinds: ActionKind::ALL.to_vec(),
                targets: vec![("pools", any()), ("groups", any()), ("nodes", any())],
            }],
        }
    }

    /// Whether some grant covers `kind` on `target`.
    pub fn allows(&self, kind: ActionKind, target: &Target) -> bool {
        self.grants.iter().any(|grant| {
            grant.kinds.contains(&kind)
                && grant.targets.iter().any(|(field, pattern)| {
                    *field == scope_field(kind) && pattern.matches(target.scope_name())
                })
        })
    }
}

impl TryFrom<Vec<GrantToml>> for Grants {
    type Error = GrantsError;

    fn try_from(tables: Vec<GrantToml>) -> Result<Self, GrantsError> {
        let mut errors = Vec::new();
        let mut grants = Vec::new();
        for (index, table) in tables.into_iter().enumerate() {
            match Grant::parse(table) {
                Ok(grant) => grants.push(grant),
                Err(reasons) => errors.extend(reasons.into_iter().map(|reason| (index, reason))),
            }
        }
        if errors.is_empty() {
            Ok(Grants { grants })
        } else {
            Err(GrantsError { errors })
        }
    }
}

impl Grant {
    /// Check one table; every problem in it is reported.
    fn parse(table: GrantToml) -> Result<Grant, Vec<String>> {
        let mut errors = Vec::new();
        if table.actions.is_empty() {
            errors.push("`actions` is empty".to_owned());
        }
        let mut kinds = Vec::new();
        for name in &table.actions {
            match ActionKind::ALL.into_iter().find(|k| k.name() == name) {
                Some(kind) => kinds.push(kind),
                None => {
                    let expected: Vec<&str> = ActionKind::ALL.iter().map(|k| k.name()).collect();
                    errors.push(format!(
                        "unknown action kind {name:?}; expected one of: {}",
                        expected.join(", ")
                    ));
                }
            }
        }
        let lists = [
            ("pools", table.pools),
            ("groups", table.groups),
            ("nodes", table.nodes),
        ];
        let mut targets = Vec::new();
        for (field, names) in lists {
            let used_by: Vec<ActionKind> = kinds
                .iter()
                .copied()
                .filter(|&k| scope_field(k) == field)
                .collect();
            if names.is_empty() {
                if let Some(kind) = used_by.first() {
                    errors.push(format!(
                        "action {kind} needs `{field}`, and none are listed"
                    ));
                }
                continue;
            }
            if used_by.is_empty() && !kinds.is_empty() {
                errors.push(format!(
                    "`{field}` is listed, but none of the granted actions change {field}"
                ));
            }
            for name in names {
                match NamePattern::parse(&name) {
                    Ok(pattern) => targets.push((field, pattern)),
                    Err(reason) => errors.push(format!("`{field}` entry {name:?}: {reason}")),
                }
            }
        }
        if errors.is_empty() {
            Ok(Grant { kinds, targets })
        } else {
            Err(errors)
        }
    }
}

/// Why a policy's grants were refused: every problem, with its grant's position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantsError {
    errors: Vec<(usize, String)>,
}

impl fmt::Display for GrantsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (index, reason)) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "grant[{index}]: {reason}")?;
        }
        Ok(())
    }
}

impl std::error::Error for GrantsError {}

/// An exact name, or a glob with `*` and `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamePattern(Vec<char>);

impl NamePattern {
    fn parse(text: &str) -> Result<NamePattern, &'static str> {
        if text.trim().is_empty() {
            return Err("a name may not be empty");
        }
        Ok(NamePattern(text.chars().collect()))
    }

    /// Glob match by the classic two-pointer walk, backtracking to the last `*`.
    fn matches(&self, name: &str) -> bool {
        let pattern = &self.0;
        let name: Vec<char> = name.chars().collect();
        let (mut p, mut n) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while n < name.len() {
            match pattern.get(p) {
                Some('*') => {
                    star = Some((p, n));
                    p += 1;
                }
                Some(&c) if c == '?' || c == name[n] => {
                    p += 1;
                    n += 1;
                }
                _ => match star {
                    Some((star_p, star_n)) => {
                        p = star_p + 1;
                        n = star_n + 1;
                        star = Some((star_p, star_n + 1));
                    }
                    None => return false,
                },
            }
        }
        pattern[p..].iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grants(toml_text: &str) -> Result<Grants, String> {
        #[derive(Deserialize)]
        struct Policy {
            grant: Grants,
        }
        toml::from_str::<Policy>(toml_text)
            .map(|p| p.grant)
            .map_err(|e| e.to_string())
    }

    fn member(pool: &str) -> Target {
        Target::Member {
            pool: pool.into(),
            member: "n1:8080".into(),
        }
    }

    fn group(name: &str) -> Target {
        Target::Group {
            name: name.into(),
            location: "us-central1-a".into(),
        }
    }

    #[test]
    fn globs_match_whole_names() {
        let p = |s: &str| NamePattern::parse(s).unwrap();
        assert!(p("mlPool").matches("mlPool"));
        assert!(!p("mlPool").matches("mlPool2"));
        assert!(p("ml-*").matches("ml-"));
        assert!(p("ml-*").matches("ml-east-1"));
        assert!(!p("ml-*").matches("xml-east"));
        assert!(p("*-pool-*").matches("a-pool-pool-b"));
        assert!(p("gpu-node-?").matches("gpu-node-7"));
        assert!(!p("gpu-node-?").matches("gpu-node-17"));
        assert!(p("*").matches(""));
        assert!(p("a*b*c").matches("aXbYbZc"));
        assert!(!p("a*b*c").matches("aXbYbZ"));
    }

    #[test]
    fn grants_cover_only_their_kinds_and_names() {
        let g = grants(
            r#"
            [[grant]]
            actions = ["member-ratio"]
            pools = ["mlPool", "ml-*"]
            [[grant]]
            actions = ["group-size"]
            groups = ["tf-*"]
            "#,
        )
        .unwrap();
        assert!(g.allows(ActionKind::MemberRatio, &member("mlPool")));
        assert!(g.allows(ActionKind::MemberRatio, &member("ml-east")));
        assert!(!g.allows(ActionKind::MemberState, &member("mlPool")));
        assert!(!g.allows(ActionKind::MemberRatio, &member("webPool")));
        assert!(g.allows(ActionKind::GroupSize, &group("tf-ig")));
        assert!(!g.allows(ActionKind::CapacityScaler, &group("tf-ig")));
        let node = Target::Node {
            name: "gpu-node-1".into(),
        };
        assert!(Grants::everything().allows(ActionKind::MigLayout, &node));
        assert!(!Grants::default().allows(ActionKind::MemberRatio, &member("mlPool")));
    }

    #[test]
    fn each_kind_matches_only_its_own_list() {
        let g = grants(
            r#"
            [[grant]]
            actions = ["member-state", "group-size"]
            pools = ["shared"]
            groups = ["tf-ig"]
            "#,
        )
        .unwrap();
        assert!(g.allows(ActionKind::MemberState, &member("shared")));
        assert!(!g.allows(ActionKind::MemberState, &member("tf-ig")));
        assert!(!g.allows(ActionKind::GroupSize, &group("shared")));
    }

    #[test]
    fn bad_grants_report_every_problem_with_its_position() {
        let err = grants(
            r#"
            [[grant]]
            actions = ["member-ratio", "drain"]
            groups = ["tf-*"]
            [[grant]]
            actions = []
            "#,
        )
        .unwrap_err();
        assert!(
            err.contains(r#"grant[0]: unknown action kind "drain"; expected one of: member-ratio"#),
            "{err}"
        );
        assert!(
            err.contains("grant[0]: action member-ratio needs `pools`"),
            "{err}"
        );
        assert!(
            err.contains(
                "grant[0]: `groups` is listed, but none of the granted actions change groups"
            ),
            "{err}"
        );
        assert!(err.contains("grant[1]: `actions` is empty"), "{err}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = grants(
            r#"
            [[grant]]
            actions = ["member-ratio"]
            pool = ["mlPool"]
            "#,
        )
        .unwrap_err();
        assert!(err.contains("unknown field `pool`"), "{err}");
    }
}
