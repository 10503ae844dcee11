//! `[[policies.grant]]`: what the operator lets a policy change
//! ([`Grants`](crate::guard::Grants)). Each table grants some action kinds
//! on the targets its name lists match:
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
//! A name is exact unless it holds `*` or `?`. A grant whose actions lack the
//! list their targets need, or that lists targets none of its actions use,
//! is refused, so a grant never silently means less than it reads.

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use crate::guard::{Grant, NamePattern, TargetList};
use crate::model::ActionKind;

/// One `[[policies.grant]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GrantToml {
    actions: Spanned<Vec<String>>,
    pools: Option<Spanned<Vec<String>>>,
    groups: Option<Spanned<Vec<String>>>,
    nodes: Option<Spanned<Vec<String>>>,
}

impl Resolve for GrantToml {
    type Output = Grant;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> Grant {
        if self.actions.get_ref().is_empty() {
            problems.push(cx.problem("actions", &self.actions, "`actions` is empty"));
        }
        let mut kinds = Vec::new();
        for name in self.actions.get_ref() {
            match ActionKind::ALL.into_iter().find(|k| k.name() == name) {
                Some(kind) => kinds.push(kind),
                None => {
                    let expected: Vec<&str> = ActionKind::ALL.iter().map(|k| k.name()).collect();
                    problems.push(cx.problem(
                        "actions",
                        &self.actions,
                        format_args!(
                            "unknown action kind {name:?}; expected one of: {}",
                            expected.join(", ")
                        ),
                    ));
                }
            }
        }
        let lists = [
            (TargetList::Pools, self.pools),
            (TargetList::Groups, self.groups),
            (TargetList::Nodes, self.nodes),
        ];
        let mut targets = Vec::new();
        for (list, names) in lists {
            let field = list.name();
            let used_by: Vec<ActionKind> = kinds
                .iter()
                .copied()
                .filter(|&k| TargetList::of(k) == list)
                .collect();
            let names = names.filter(|names| !names.get_ref().is_empty());
            let Some(names) = names else {
                if let Some(kind) = used_by.first() {
                    problems.push(cx.here(
                        field,
                        format_args!("action {kind} needs `{field}`, and none are listed"),
                    ));
                }
                continue;
            };
            if used_by.is_empty() && !kinds.is_empty() {
                problems.push(cx.problem(
                    field,
                    &names,
                    format_args!(
                        "`{field}` is listed, but none of the granted actions change {field}"
                    ),
                ));
            }
            for name in names.get_ref() {
                match NamePattern::parse(name) {
                    Ok(pattern) => targets.push((list, pattern)),
                    Err(reason) => problems.push(cx.problem(
                        field,
                        &names,
                        format_args!("`{field}` entry {name:?}: {reason}"),
                    )),
                }
            }
        }
        Grant::new(kinds, targets)
    }
}
