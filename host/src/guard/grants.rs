//! What the operator lets each policy change: action kinds on named pools,
//! instance groups and nodes ([`Grants`], from the `[[policies.grant]]`
//! tables of the configuration file, read in `config::grant`). Nothing is
//! granted by default; a policy with no grant can propose, but every action
//! it proposes is rejected.
//!
//! Each grant gives some action kinds on the targets its name lists match.
//! A name is exact unless it holds `*` (any run of characters, also none) or
//! `?` (exactly one character).

use super::target::Target;
use crate::model::ActionKind;

/// Every grant of one policy; the default grants nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grants {
    grants: Vec<Grant>,
}

/// Some action kinds on the targets matching some names.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    kinds: Vec<ActionKind>,
    /// Each pattern with the list it came from.
    targets: Vec<(TargetList, NamePattern)>,
}

/// The list of names that holds an action kind's targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetList {
    Pools,
    Groups,
    Nodes,
}

impl TargetList {
    pub const ALL: [TargetList; 3] = [TargetList::Pools, TargetList::Groups, TargetList::Nodes];

    /// The list naming `kind`'s targets.
    pub fn of(kind: ActionKind) -> TargetList {
        match kind {
            ActionKind::MemberRatio | ActionKind::MemberState => TargetList::Pools,
            ActionKind::CapacityScaler | ActionKind::GroupSize => TargetList::Groups,
            ActionKind::MigLayout => TargetList::Nodes,
        }
    }

    /// `pools`, `groups` or `nodes`.
    pub fn name(self) -> &'static str {
        match self {
            TargetList::Pools => "pools",
            TargetList::Groups => "groups",
            TargetList::Nodes => "nodes",
        }
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
                targets: TargetList::ALL.map(|list| (list, any())).to_vec(),
            }],
        }
    }

    /// Whether some grant covers `kind` on `target`.
    pub fn allows(&self, kind: ActionKind, target: &Target) -> bool {
        self.grants.iter().any(|grant| {
            grant.kinds.contains(&kind)
                && grant.targets.iter().any(|(list, pattern)| {
                    *list == TargetList::of(kind) && pattern.matches(target.scope_name())
                })
        })
    }
}

impl FromIterator<Grant> for Grants {
    fn from_iter<I: IntoIterator<Item = Grant>>(grants: I) -> Grants {
        Grants {
            grants: grants.into_iter().collect(),
        }
    }
}

impl Grant {
    /// `kinds` on the targets `targets` match; each kind looks only in its
    /// own list ([`TargetList::of`]).
    pub fn new(kinds: Vec<ActionKind>, targets: Vec<(TargetList, NamePattern)>) -> Grant {
        Grant { kinds, targets }
    }
}

/// An empty name, which would match nothing the operator meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a name may not be empty")]
pub struct EmptyName;

/// An exact name, or a glob with `*` and `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern(Vec<char>);

impl NamePattern {
    pub fn parse(text: &str) -> Result<NamePattern, EmptyName> {
        if text.trim().is_empty() {
            return Err(EmptyName);
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

    fn grant(kinds: &[ActionKind], targets: &[(TargetList, &str)]) -> Grant {
        Grant::new(
            kinds.to_vec(),
            targets
                .iter()
                .map(|&(list, name)| (list, NamePattern::parse(name).unwrap()))
                .collect(),
        )
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
        assert_eq!(NamePattern::parse(" "), Err(EmptyName));
    }

    #[test]
    fn grants_cover_only_their_kinds_and_names() {
        let g: Grants = [
            grant(
                &[ActionKind::MemberRatio],
                &[(TargetList::Pools, "mlPool"), (TargetList::Pools, "ml-*")],
            ),
            grant(&[ActionKind::GroupSize], &[(TargetList::Groups, "tf-*")]),
        ]
        .into_iter()
        .collect();
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
        let g: Grants = [grant(
            &[ActionKind::MemberState, ActionKind::GroupSize],
            &[(TargetList::Pools, "shared"), (TargetList::Groups, "tf-ig")],
        )]
        .into_iter()
        .collect();
        assert!(g.allows(ActionKind::MemberState, &member("shared")));
        assert!(!g.allows(ActionKind::MemberState, &member("tf-ig")));
        assert!(!g.allows(ActionKind::GroupSize, &group("shared")));
    }
}
