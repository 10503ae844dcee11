//! What a test case says must hold, and checking it against what the policy
//! did. Members and groups are named the way an operator names them; ratios,
//! states and sizes are read *after* the decisions (a member no decision
//! touches keeps the ratio the snapshot shows). Every expectation that does
//! not hold is reported, each with what was found.

use std::collections::BTreeSet;

use serde::Deserialize;
use toml::Spanned;

use super::compact::Named;
use super::outcome::{CaseOutcome, describe};
use crate::model::{Action, Code, MemberState, Snapshot};
use crate::runtime::EvalErrorKind;

/// `[expect]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectToml {
    /// The evaluation fails with this kind (`timeout`, `invalid-output`, …).
    fails: Option<Spanned<String>>,
    /// Exactly these decisions, in any order.
    actions: Option<Vec<String>>,
    /// No decision changes these members, groups or nodes.
    #[serde(default)]
    no_action_on: Vec<String>,
    /// Some decision's reason contains each of these.
    #[serde(default)]
    reason_contains: Vec<String>,
    /// With `guard = true`: each of these rules rejects at least one decision.
    #[serde(default)]
    rejected_by: Vec<String>,
    #[serde(default)]
    member: Vec<MemberExpect>,
    #[serde(default)]
    group: Vec<GroupExpect>,
}

/// `[[expect.member]]`: one pool member after the decisions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberExpect {
    name: String,
    /// Needed only when two pools have a member of this name.
    pool: Option<String>,
    ratio: Option<u32>,
    ratio_min: Option<u32>,
    ratio_max: Option<u32>,
    /// Its ratio is below this other member's.
    ratio_below: Option<String>,
    /// Its ratio is above this other member's.
    ratio_above: Option<String>,
    state: Option<Named<MemberState>>,
}

/// `[[expect.group]]`: one instance group after the decisions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupExpect {
    name: String,
    size: Option<u32>,
    size_min: Option<u32>,
    size_max: Option<u32>,
    capacity_scaler: Option<f32>,
}

/// What must hold, resolved.
#[derive(Debug)]
pub(super) struct Expect {
    fails: Option<EvalErrorKind>,
    toml: ExpectToml,
}

const KINDS: [EvalErrorKind; 6] = [
    EvalErrorKind::Timeout,
    EvalErrorKind::OutOfMemory,
    EvalErrorKind::Trap,
    EvalErrorKind::InvalidOutput,
    EvalErrorKind::PolicyError,
    EvalErrorKind::Host,
];

impl ExpectToml {
    /// Check what can be checked without the policy; `line` turns a span
    /// into its line.
    pub(super) fn resolve(
        self,
        line: impl Fn(usize) -> usize,
        problems: &mut Vec<String>,
    ) -> Expect {
        let fails = self.fails.as_ref().and_then(|fails| {
            let wanted = fails.get_ref().replace('-', "_");
            let kind = KINDS.into_iter().find(|k| k.name() == wanted);
            if kind.is_none() {
                let names: Vec<&str> = KINDS.iter().map(|k| k.name()).collect();
                problems.push(format!(
                    "expect.fails (line {}): {:?} is no failure kind; expected one of {}",
                    line(fails.span().start),
                    fails.get_ref(),
                    names.join(", ")
                ));
            }
            kind
        });
        Expect { fails, toml: self }
    }
}

impl Expect {
    /// Every expectation `outcome` breaks, each as lines of text.
    pub(super) fn check(&self, outcome: &CaseOutcome) -> Vec<String> {
        let decisions = match (&outcome.evaluated, self.fails) {
            (Err(error), Some(kind)) if error.kind() == kind => return Vec::new(),
            (Err(error), _) => return vec![format!("the evaluation failed: {error}")],
            (Ok(_), Some(kind)) => {
                return vec![format!(
                    "expected the evaluation to fail with {kind}, but it succeeded"
                )];
            }
            (Ok(decisions), None) => decisions,
        };
        let snapshot = &outcome.snapshot;
        let toml = &self.toml;
        let mut failures = Vec::new();
        let described: Vec<String> = decisions
            .iter()
            .map(|d| describe(snapshot, &d.action))
            .collect();
        if let Some(expected) = &toml.actions {
            failures.extend(exact_actions(expected, &described));
        }
        for name in &toml.no_action_on {
            let touching: Vec<&String> = decisions
                .iter()
                .zip(&described)
                .filter(|(d, _)| names_target(snapshot, &d.action, name))
                .map(|(_, text)| text)
                .collect();
            if !touching.is_empty() {
                failures.push(format!(
                    "expected no action on {name}, found: {}",
                    join(&touching)
                ));
            }
        }
        for text in &toml.reason_contains {
            if !decisions.iter().any(|d| d.reason.contains(text.as_str())) {
                failures.push(format!(
                    "expected a decision whose reason contains {text:?}; none does"
                ));
            }
        }
        for rule in &toml.rejected_by {
            if !outcome.rejected.iter().any(|r| r.rule.name() == rule) {
                let found: BTreeSet<&str> =
                    outcome.rejected.iter().map(|r| r.rule.name()).collect();
                failures.push(format!(
                    "expected rule {rule} to reject a decision; rejections came from: {}",
                    if found.is_empty() {
                        "none".to_owned()
                    } else {
                        found.into_iter().collect::<Vec<_>>().join(", ")
                    }
                ));
            }
        }
        let after = After {
            snapshot,
            decisions,
        };
        for member in &toml.member {
            failures.extend(after.check_member(member));
        }
        for group in &toml.group {
            failures.extend(after.check_group(group));
        }
        failures
    }
}

fn join(items: &[&String]) -> String {
    items
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The diff between the decisions expected and those made: `-` expected but
/// not made, `+` made but not expected.
fn exact_actions(expected: &[String], made: &[String]) -> Option<String> {
    let mut unmatched: Vec<&String> = made.iter().collect();
    let mut missing = Vec::new();
    for want in expected {
        match unmatched.iter().position(|m| *m == want) {
            Some(at) => {
                unmatched.remove(at);
            }
            None => missing.push(want),
        }
    }
    if missing.is_empty() && unmatched.is_empty() {
        return None;
    }
    let mut text = String::from("the decisions differ from `expect.actions`:");
    for want in missing {
        text.push_str(&format!("\n  - {want}"));
    }
    for extra in unmatched {
        text.push_str(&format!("\n  + {extra}"));
    }
    Some(text)
}

/// True when `action` changes the member, group or node called `name`.
fn names_target(s: &Snapshot, action: &Action, name: &str) -> bool {
    match *action {
        Action::SetMemberRatio { member, .. } | Action::SetMemberState { member, .. } => {
            s.string(s.members.name[member as usize]) == name
        }
        Action::SetCapacityScaler { group, .. } | Action::ResizeGroup { group, .. } => {
            s.string(s.instance_groups.name[group as usize]) == name
        }
        Action::SetMigLayout { node, .. } => s.string(s.nodes.name[node as usize]) == name,
    }
}

/// Why a member an expectation names is not one row of the snapshot.
#[derive(Debug, thiserror::Error)]
enum NoSuchMember {
    #[error("no pool member called {0} in the snapshot")]
    Missing(String),
    #[error("{1} members are called {0}; name the pool")]
    Ambiguous(String, usize),
}

/// The snapshot with the decisions laid over it.
struct After<'a> {
    snapshot: &'a Snapshot,
    decisions: &'a [crate::model::Decision],
}

impl After<'_> {
    fn member_row(&self, name: &str, pool: Option<&str>) -> Result<u32, NoSuchMember> {
        let s = self.snapshot;
        let rows: Vec<u32> = (0..s.members.name.len() as u32)
            .filter(|&row| s.string(s.members.name[row as usize]) == name)
            .filter(|&row| {
                pool.is_none_or(|p| {
                    s.string(s.pools.name[s.members.pool[row as usize] as usize]) == p
                })
            })
            .collect();
        match rows.as_slice() {
            [row] => Ok(*row),
            [] => Err(NoSuchMember::Missing(name.to_owned())),
            _ => Err(NoSuchMember::Ambiguous(name.to_owned(), rows.len())),
        }
    }

    /// What the last decision `pick` reads a value from sets, if any.
    fn last<T>(&self, pick: impl Fn(&Action) -> Option<T>) -> Option<T> {
        self.decisions.iter().rev().find_map(|d| pick(&d.action))
    }

    fn ratio(&self, member: u32) -> u32 {
        self.last(|action| match *action {
            Action::SetMemberRatio { member: m, ratio } if m == member => Some(ratio),
            _ => None,
        })
        .unwrap_or(self.snapshot.members.ratio[member as usize])
    }

    fn state(&self, member: u32) -> MemberState {
        self.last(|action| match *action {
            Action::SetMemberState { member: m, state } if m == member => Some(state),
            _ => None,
        })
        .unwrap_or(self.snapshot.member_state(member))
    }

    fn check_member(&self, want: &MemberExpect) -> Vec<String> {
        let name = &want.name;
        let row = match self.member_row(name, want.pool.as_deref()) {
            Ok(row) => row,
            Err(problem) => return vec![problem.to_string()],
        };
        let ratio = self.ratio(row);
        let mut failures = Vec::new();
        let mut fail = |expected: String| {
            failures.push(format!(
                "expected member {name} {expected}; its ratio is {ratio}, its state {}",
                self.state(row).name()
            ));
        };
        if want.ratio.is_some_and(|r| r != ratio) {
            fail(format!("to have ratio {}", want.ratio.unwrap_or_default()));
        }
        if want.ratio_min.is_some_and(|r| ratio < r) {
            fail(format!(
                "to have ratio at least {}",
                want.ratio_min.unwrap_or_default()
            ));
        }
        if want.ratio_max.is_some_and(|r| ratio > r) {
            fail(format!(
                "to have ratio at most {}",
                want.ratio_max.unwrap_or_default()
            ));
        }
        for (other, below) in [(&want.ratio_below, true), (&want.ratio_above, false)] {
            let Some(other) = other else { continue };
            match self.member_row(other, want.pool.as_deref()) {
                Ok(other_row) => {
                    let theirs = self.ratio(other_row);
                    let holds = if below {
                        ratio < theirs
                    } else {
                        ratio > theirs
                    };
                    if !holds {
                        let side = if below { "below" } else { "above" };
                        fail(format!("to have a ratio {side} {other}'s ({theirs})"));
                    }
                }
                Err(problem) => fail(format!("to compare with {other}, but {problem}")),
            }
        }
        if let Some(Named(state)) = want.state
            && self.state(row) != state
        {
            fail(format!("to be {}", state.name()));
        }
        failures
    }

    fn check_group(&self, want: &GroupExpect) -> Vec<String> {
        let s = self.snapshot;
        let name = &want.name;
        let Some(row) = (0..s.instance_groups.name.len())
            .find(|&row| s.string(s.instance_groups.name[row]) == name)
        else {
            return vec![format!("no instance group called {name} in the snapshot")];
        };
        let size = self
            .last(|action| match *action {
                Action::ResizeGroup { group, target_size } if group as usize == row => {
                    Some(target_size)
                }
                _ => None,
            })
            .unwrap_or(s.instance_groups.target_size[row]);
        let scaler = self
            .last(|action| match *action {
                Action::SetCapacityScaler { group, scaler } if group as usize == row => {
                    Some(scaler)
                }
                _ => None,
            })
            .unwrap_or(s.instance_groups.capacity_scaler[row]);
        let mut failures = Vec::new();
        let mut fail = |expected: String| {
            failures.push(format!(
                "expected group {name} {expected}; its size is {size}, its capacity scaler {scaler}"
            ));
        };
        if want.size.is_some_and(|n| n != size) {
            fail(format!("to have size {}", want.size.unwrap_or_default()));
        }
        if want.size_min.is_some_and(|n| size < n) {
            fail(format!(
                "to have size at least {}",
                want.size_min.unwrap_or_default()
            ));
        }
        if want.size_max.is_some_and(|n| size > n) {
            fail(format!(
                "to have size at most {}",
                want.size_max.unwrap_or_default()
            ));
        }
        if want
            .capacity_scaler
            .is_some_and(|c| (c - scaler).abs() > 1e-6)
        {
            fail(format!(
                "to have capacity scaler {}",
                want.capacity_scaler.unwrap_or_default()
            ));
        }
        failures
    }
}
