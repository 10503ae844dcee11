//! [`Decisions`]: what `decide` returns, kept in the contract's columnar form
//! as it is written, so handing ten thousand decisions to the host is a few
//! bulk copies rather than ten thousand records and strings.
//!
//! Reasons are written straight into one shared text: a `&str` or `String` is
//! copied, and `format_args!(…)` is formatted in place, so a formatted reason
//! costs no allocation of its own.

use std::fmt::{self, Write as _};

use crate::actions::{
    Action, CapacityScaler, Decision, GroupSize, MemberRatio, MemberStateChange, MigLayout,
};
use crate::bindings::fulcrum::policy::types as wit;
use crate::{MemberState, ProfileCount, Row};

/// The decisions of one evaluation, a table per kind of action.
///
/// Write to it with the `set_*` and [`resize_group`](Decisions::resize_group)
/// methods, [`push`](Decisions::push) a [`Decision`], or collect it from an
/// iterator of them. [`iter`](Decisions::iter) reads them back kind by kind
/// (member states, member ratios, capacity scalers, group sizes, MIG layouts),
/// each kind in the order written; that is also the order the host takes them in.
#[derive(Clone, PartialEq)]
pub struct Decisions {
    table: wit::Decisions,
}

impl Decisions {
    /// No decisions.
    pub fn new() -> Self {
        Decisions {
            table: wit::Decisions {
                reasons: wit::StringTable {
                    text: String::new(),
                    offsets: vec![0],
                },
                member_ratios: wit::MemberRatios {
                    member: Vec::new(),
                    ratio: Vec::new(),
                    reason: Vec::new(),
                },
                member_states: wit::MemberStates {
                    member: Vec::new(),
                    state: Vec::new(),
                    reason: Vec::new(),
                },
                capacity_scalers: wit::CapacityScalers {
                    group: Vec::new(),
                    scaler: Vec::new(),
                    reason: Vec::new(),
                },
                group_sizes: wit::GroupSizes {
                    group: Vec::new(),
                    target_size: Vec::new(),
                    reason: Vec::new(),
                },
                mig_layouts: Vec::new(),
            },
        }
    }

    /// Set pool member `member`'s ratio weight to `ratio` (1..=65535).
    pub fn set_member_ratio(&mut self, member: Row, ratio: u32, reason: impl Reason) {
        let reason = self.reason(reason);
        let table = &mut self.table.member_ratios;
        table.member.push(member);
        table.ratio.push(ratio);
        table.reason.push(reason);
    }

    /// Set pool member `member`'s administrative state.
    pub fn set_member_state(&mut self, member: Row, state: MemberState, reason: impl Reason) {
        let reason = self.reason(reason);
        let table = &mut self.table.member_states;
        table.member.push(member);
        table.state.push(state.code());
        table.reason.push(reason);
    }

    /// Set the capacity scaler of instance group `group`'s backend: exactly 0
    /// (drained) or 0.1..=1.
    pub fn set_capacity_scaler(&mut self, group: Row, scaler: f32, reason: impl Reason) {
        let reason = self.reason(reason);
        let table = &mut self.table.capacity_scalers;
        table.group.push(group);
        table.scaler.push(scaler);
        table.reason.push(reason);
    }

    /// Resize managed instance group `group` to `target_size` instances.
    pub fn resize_group(&mut self, group: Row, target_size: u32, reason: impl Reason) {
        let reason = self.reason(reason);
        let table = &mut self.table.group_sizes;
        table.group.push(group);
        table.target_size.push(target_size);
        table.reason.push(reason);
    }

    /// Put `gpus` (rows in `gpus`, all on `node`) into the MIG layout
    /// `profiles`; an empty `profiles` disables MIG on them.
    pub fn set_mig_layout(
        &mut self,
        node: Row,
        gpus: Vec<Row>,
        profiles: Vec<ProfileCount>,
        reason: impl Reason,
    ) {
        let reason = self.reason(reason);
        self.table.mig_layouts.push(wit::MigLayout {
            node,
            gpus,
            profiles,
            reason,
        });
    }

    /// Add one decision.
    pub fn push(&mut self, decision: Decision) {
        let reason = decision.reason.as_str();
        match decision.action {
            Action::SetMemberRatio(MemberRatio { member, ratio }) => {
                self.set_member_ratio(member, ratio, reason)
            }
            Action::SetMemberState(MemberStateChange { member, state }) => {
                self.set_member_state(member, state, reason)
            }
            Action::SetCapacityScaler(CapacityScaler { group, scaler }) => {
                self.set_capacity_scaler(group, scaler, reason)
            }
            Action::ResizeGroup(GroupSize { group, target_size }) => {
                self.resize_group(group, target_size, reason)
            }
            Action::SetMigLayout(MigLayout {
                node,
                gpus,
                profiles,
            }) => self.set_mig_layout(node, gpus, profiles, reason),
        }
    }

    /// How many decisions there are.
    pub fn len(&self) -> usize {
        let t = &self.table;
        t.member_ratios.member.len()
            + t.member_states.member.len()
            + t.capacity_scalers.group.len()
            + t.group_sizes.group.len()
            + t.mig_layouts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every decision, kind by kind, each kind in the order written.
    pub fn iter(&self) -> impl Iterator<Item = Decision> + '_ {
        let t = &self.table;
        let ratios = t
            .member_ratios
            .member
            .iter()
            .enumerate()
            .map(|(i, &member)| {
                (
                    Action::SetMemberRatio(MemberRatio {
                        member,
                        ratio: t.member_ratios.ratio[i],
                    }),
                    t.member_ratios.reason[i],
                )
            });
        let states = t
            .member_states
            .member
            .iter()
            .enumerate()
            .map(|(i, &member)| {
                (
                    Action::SetMemberState(MemberStateChange {
                        member,
                        state: MemberState::from_code(t.member_states.state[i]),
                    }),
                    t.member_states.reason[i],
                )
            });
        let scalers = t
            .capacity_scalers
            .group
            .iter()
            .enumerate()
            .map(|(i, &group)| {
                (
                    Action::SetCapacityScaler(CapacityScaler {
                        group,
                        scaler: t.capacity_scalers.scaler[i],
                    }),
                    t.capacity_scalers.reason[i],
                )
            });
        let sizes = t.group_sizes.group.iter().enumerate().map(|(i, &group)| {
            (
                Action::ResizeGroup(GroupSize {
                    group,
                    target_size: t.group_sizes.target_size[i],
                }),
                t.group_sizes.reason[i],
            )
        });
        let layouts = t.mig_layouts.iter().map(|layout| {
            (
                Action::SetMigLayout(MigLayout {
                    node: layout.node,
                    gpus: layout.gpus.clone(),
                    profiles: layout.profiles.clone(),
                }),
                layout.reason,
            )
        });
        states
            .chain(ratios)
            .chain(scalers)
            .chain(sizes)
            .chain(layouts)
            .map(|(action, reason)| Decision {
                action,
                reason: self.reason_text(reason).to_owned(),
            })
    }

    /// Every decision as owned values, in [`iter`](Decisions::iter)'s order.
    pub fn to_vec(&self) -> Vec<Decision> {
        self.iter().collect()
    }

    /// The contract's form, for the component's `decide` export.
    pub(crate) fn into_wit(self) -> wit::Decisions {
        self.table
    }

    /// Write `reason` after the others; its id.
    fn reason(&mut self, reason: impl Reason) -> u32 {
        let reasons = &mut self.table.reasons;
        reason.write_to(&mut reasons.text);
        let id = reasons.offsets.len() - 1;
        reasons.offsets.push(reasons.text.len() as u32);
        id as u32
    }

    fn reason_text(&self, id: u32) -> &str {
        let reasons = &self.table.reasons;
        let id = id as usize;
        &reasons.text[reasons.offsets[id] as usize..reasons.offsets[id + 1] as usize]
    }
}

/// A decision's reason, as it is written into the shared text.
pub trait Reason {
    /// Append the reason to `text`.
    fn write_to(self, text: &mut String);
}

impl Reason for &str {
    fn write_to(self, text: &mut String) {
        text.push_str(self);
    }
}

impl Reason for &String {
    fn write_to(self, text: &mut String) {
        text.push_str(self);
    }
}

impl Reason for String {
    fn write_to(self, text: &mut String) {
        text.push_str(&self);
    }
}

impl Reason for fmt::Arguments<'_> {
    fn write_to(self, text: &mut String) {
        // Writing into a `String` cannot fail.
        let _ = text.write_fmt(self);
    }
}

impl Default for Decisions {
    fn default() -> Self {
        Decisions::new()
    }
}

impl fmt::Debug for Decisions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Extend<Decision> for Decisions {
    fn extend<I: IntoIterator<Item = Decision>>(&mut self, decisions: I) {
        for decision in decisions {
            self.push(decision);
        }
    }
}

impl FromIterator<Decision> for Decisions {
    fn from_iter<I: IntoIterator<Item = Decision>>(decisions: I) -> Self {
        let mut all = Decisions::new();
        all.extend(decisions);
        all
    }
}

impl From<Vec<Decision>> for Decisions {
    fn from(decisions: Vec<Decision>) -> Self {
        decisions.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions;

    #[test]
    fn reads_back_kind_by_kind_in_written_order() {
        let mut decisions = Decisions::new();
        decisions.resize_group(0, 4, "demand");
        decisions.set_member_ratio(2, 30, format_args!("score {}", 0.5));
        decisions.set_member_state(1, MemberState::Disabled, "XID 79");
        decisions.set_member_ratio(1, 10, "idle");
        assert_eq!(decisions.len(), 4);
        assert_eq!(
            decisions.to_vec(),
            vec![
                actions::set_member_state(1, MemberState::Disabled, "XID 79"),
                actions::set_member_ratio(2, 30, "score 0.5"),
                actions::set_member_ratio(1, 10, "idle"),
                actions::resize_group(0, 4, "demand"),
            ]
        );
    }

    #[test]
    fn reasons_share_one_text_in_the_order_written() {
        let mut decisions = Decisions::new();
        decisions.set_member_state(0, MemberState::Enabled, "node healthy again");
        decisions.set_member_ratio(0, 5, String::from("idle"));
        let again = String::from("again");
        decisions.set_member_state(1, MemberState::Enabled, &again);
        let table = decisions.into_wit();
        assert_eq!(table.reasons.text, format!("node healthy againidle{again}"));
        assert_eq!(table.reasons.offsets, vec![0, 18, 22, 27]);
        assert_eq!(table.member_states.reason, vec![0, 2]);
        assert_eq!(table.member_ratios.reason, vec![1]);
    }

    #[test]
    fn collects_and_pushes_every_kind() {
        let all = vec![
            actions::set_member_state(0, MemberState::ForcedOffline, "b"),
            actions::set_member_ratio(0, 1, "a"),
            actions::set_capacity_scaler(1, 0.5, "c"),
            actions::resize_group(1, 2, "d"),
            actions::set_mig_layout(
                0,
                vec![0, 1],
                vec![ProfileCount {
                    profile: "3g.40gb".into(),
                    count: 2,
                }],
                "e",
            ),
        ];
        let decisions: Decisions = all.clone().into_iter().collect();
        assert_eq!(decisions.to_vec(), all);
        assert_eq!(Decisions::from(all.clone()), decisions);
        assert!(Decisions::new().is_empty());
    }
}
