//! Checks a policy's decisions against the contract before anything acts on
//! them: tables whose columns line up, rows inside the snapshot, reasons
//! that exist, values in range, only declared kinds. The output is taken or
//! rejected whole.

use std::sync::Arc;

use crate::model::{Action, ActionKind, Code, Decision, MemberState, ProfileCount, Reason};

use crate::wit::types as wit;

/// Longest reason kept, in bytes.
const MAX_REASON_BYTES: usize = 1024;

/// Convert and check `decisions`, table by table in the contract's order;
/// the first violation names the table and row.
pub(crate) fn validate(
    decisions: wit::Decisions,
    snapshot: &wit::Snapshot,
    declared: &[ActionKind],
) -> Result<Vec<Decision>, String> {
    let wit::Decisions {
        reasons,
        member_ratios: ratios,
        member_states: states,
        capacity_scalers: scalers,
        group_sizes: sizes,
        mig_layouts: layouts,
    } = decisions;
    let reasons = Reasons::new(reasons)?;
    let mut out = Vec::with_capacity(
        ratios.member.len()
            + states.member.len()
            + scalers.group.len()
            + sizes.group.len()
            + layouts.len(),
    );
    let mut table = Table::new(&reasons, declared, &mut out);

    table.open(
        "member-states",
        ActionKind::MemberState,
        &[
            ("member", states.member.len()),
            ("state", states.state.len()),
            ("reason", states.reason.len()),
        ],
    )?;
    for (i, ((&member, &code), &reason)) in states
        .member
        .iter()
        .zip(&states.state)
        .zip(&states.reason)
        .enumerate()
    {
        table.row(i, reason, || {
            row("member", member, snapshot.members.pool.len())?;
            let state = MemberState::from_code(code);
            if state.code() != code {
                return Err(format!("state {code} is not a member-state case"));
            }
            Ok(Action::SetMemberState { member, state })
        })?;
    }

    table.open(
        "member-ratios",
        ActionKind::MemberRatio,
        &[
            ("member", ratios.member.len()),
            ("ratio", ratios.ratio.len()),
            ("reason", ratios.reason.len()),
        ],
    )?;
    for (i, ((&member, &ratio), &reason)) in ratios
        .member
        .iter()
        .zip(&ratios.ratio)
        .zip(&ratios.reason)
        .enumerate()
    {
        table.row(i, reason, || {
            row("member", member, snapshot.members.pool.len())?;
            if !(1..=65535).contains(&ratio) {
                return Err(format!("ratio {ratio} is out of range; expected 1..=65535"));
            }
            Ok(Action::SetMemberRatio { member, ratio })
        })?;
    }

    table.open(
        "capacity-scalers",
        ActionKind::CapacityScaler,
        &[
            ("group", scalers.group.len()),
            ("scaler", scalers.scaler.len()),
            ("reason", scalers.reason.len()),
        ],
    )?;
    for (i, ((&group, &scaler), &reason)) in scalers
        .group
        .iter()
        .zip(&scalers.scaler)
        .zip(&scalers.reason)
        .enumerate()
    {
        table.row(i, reason, || {
            row("group", group, snapshot.instance_groups.name.len())?;
            if snapshot.instance_groups.backend_service[group as usize] == crate::model::NONE {
                return Err(format!(
                    "group {group} is not the backend of any backend service"
                ));
            }
            if !(scaler == 0.0 || (0.1..=1.0).contains(&scaler)) {
                return Err(format!(
                    "capacity scaler {scaler} is out of range; expected 0 or 0.1..=1"
                ));
            }
            Ok(Action::SetCapacityScaler { group, scaler })
        })?;
    }

    table.open(
        "group-sizes",
        ActionKind::GroupSize,
        &[
            ("group", sizes.group.len()),
            ("target-size", sizes.target_size.len()),
            ("reason", sizes.reason.len()),
        ],
    )?;
    for (i, ((&group, &target_size), &reason)) in sizes
        .group
        .iter()
        .zip(&sizes.target_size)
        .zip(&sizes.reason)
        .enumerate()
    {
        table.row(i, reason, || {
            row("group", group, snapshot.instance_groups.name.len())?;
            Ok(Action::ResizeGroup { group, target_size })
        })?;
    }

    table.open("mig-layouts", ActionKind::MigLayout, &[("", layouts.len())])?;
    for (i, layout) in layouts.into_iter().enumerate() {
        let reason = layout.reason;
        table.row(i, reason, || mig_layout(layout, snapshot))?;
    }
    Ok(out)
}

/// The output's reasons, checked once as a table; every decision's reason
/// is a slice of their one shared text.
struct Reasons {
    text: Arc<str>,
    offsets: Vec<u32>,
}

impl Reasons {
    fn new(table: wit::StringTable) -> Result<Self, String> {
        let wit::StringTable { text, offsets } = table;
        if offsets.first() != Some(&0) {
            return Err("reasons: offsets must start at 0".into());
        }
        if let Some(pair) = offsets.windows(2).position(|pair| pair[0] > pair[1]) {
            return Err(format!("reasons: offset {} decreases", pair + 1));
        }
        if offsets.last().map(|&end| end as usize) != Some(text.len()) {
            return Err(format!(
                "reasons: the last offset must be the text's length, {}",
                text.len()
            ));
        }
        Ok(Reasons {
            text: Arc::from(text),
            offsets,
        })
    }

    /// Reason `id`, checked.
    fn get(&self, id: u32) -> Result<Reason, String> {
        let id = id as usize;
        if id + 1 >= self.offsets.len() {
            return Err(format!(
                "reason {id} does not exist; there are {}",
                self.offsets.len() - 1
            ));
        }
        let (start, end) = (self.offsets[id], self.offsets[id + 1]);
        let reason = Reason::slice(&self.text, start, end)
            .ok_or_else(|| format!("reason {id} (bytes {start}..{end}) cuts a UTF-8 character"))?;
        if reason.len() > MAX_REASON_BYTES {
            return Err(format!(
                "the reason is {} bytes; at most {MAX_REASON_BYTES}",
                reason.len()
            ));
        }
        if reason.trim().is_empty() {
            return Err("the reason is empty".into());
        }
        Ok(reason)
    }
}

/// Walks the output's tables, collecting checked decisions into `out`.
struct Table<'r, 'o> {
    reasons: &'r Reasons,
    declared: &'r [ActionKind],
    out: &'o mut Vec<Decision>,
    name: &'static str,
    kind: ActionKind,
}

impl<'r, 'o> Table<'r, 'o> {
    fn new(reasons: &'r Reasons, declared: &'r [ActionKind], out: &'o mut Vec<Decision>) -> Self {
        Table {
            reasons,
            declared,
            out,
            name: "",
            kind: ActionKind::MemberRatio,
        }
    }

    /// Start table `name` of `kind`: its columns, named with their lengths,
    /// must line up, and a table with rows must be of a declared kind.
    fn open(
        &mut self,
        name: &'static str,
        kind: ActionKind,
        columns: &[(&str, usize)],
    ) -> Result<(), String> {
        self.name = name;
        self.kind = kind;
        let rows = columns[0].1;
        if columns.iter().any(|&(_, len)| len != rows) {
            let lengths: Vec<String> = columns
                .iter()
                .map(|(column, len)| format!("{column} {len}"))
                .collect();
            return Err(format!(
                "{name}: the columns differ in length ({})",
                lengths.join(", ")
            ));
        }
        if rows > 0 && !self.declared.contains(&kind) {
            return Err(format!(
                "{name}: the policy did not declare this action kind ({kind}) in its metadata; it proposed {rows}"
            ));
        }
        Ok(())
    }

    /// Check row `index` and keep it with its reason.
    fn row(
        &mut self,
        index: usize,
        reason: u32,
        action: impl FnOnce() -> Result<Action, String>,
    ) -> Result<(), String> {
        let checked = self
            .reasons
            .get(reason)
            .and_then(|reason| Ok((action()?, reason)));
        let (action, reason) = checked
            .map_err(|error| format!("{} row {index} ({}): {error}", self.name, self.kind))?;
        self.out.push(Decision { action, reason });
        Ok(())
    }
}

fn mig_layout(layout: wit::MigLayout, s: &wit::Snapshot) -> Result<Action, String> {
    let wit::MigLayout {
        node,
        gpus,
        profiles,
        ..
    } = layout;
    row("node", node, s.nodes.name.len())?;
    if gpus.is_empty() {
        return Err("the layout names no GPU".into());
    }
    for &gpu in &gpus {
        row("gpu", gpu, s.gpus.node.len())?;
        if s.gpus.node[gpu as usize] != node {
            return Err(format!("gpu {gpu} is not on node {node}"));
        }
    }
    if let Some(p) = profiles
        .iter()
        .find(|p| p.profile.is_empty() || p.count == 0)
    {
        return Err(format!(
            "profile {:?} with count {} is not a valid entry",
            p.profile, p.count
        ));
    }
    Ok(Action::SetMigLayout {
        node,
        gpus,
        profiles: profiles
            .into_iter()
            .map(|p| ProfileCount {
                profile: p.profile,
                count: p.count,
            })
            .collect(),
    })
}

fn row(table: &str, index: u32, len: usize) -> Result<(), String> {
    if (index as usize) < len {
        Ok(())
    } else {
        Err(format!(
            "{table} row {index} does not exist; the snapshot has {len}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Availability, MemberSample, SnapshotBuilder};

    fn decisions() -> wit::Decisions {
        wit::Decisions {
            reasons: wit::StringTable {
                text: "busyidle".into(),
                offsets: vec![0, 4, 8],
            },
            member_states: wit::MemberStates {
                member: vec![],
                state: vec![],
                reason: vec![],
            },
            member_ratios: wit::MemberRatios {
                member: vec![],
                ratio: vec![],
                reason: vec![],
            },
            capacity_scalers: wit::CapacityScalers {
                group: vec![],
                scaler: vec![],
                reason: vec![],
            },
            group_sizes: wit::GroupSizes {
                group: vec![],
                target_size: vec![],
                reason: vec![],
            },
            mig_layouts: vec![],
        }
    }

    /// Checked against a snapshot with one pool of one member.
    fn validate_all(decisions: wit::Decisions) -> Result<Vec<Decision>, String> {
        let mut builder = SnapshotBuilder::new();
        let member = MemberSample {
            name: "ml-node-1:8080",
            address: "127.0.1.1",
            port: 8080,
            ratio: 10,
            state: MemberState::Enabled,
            availability: Availability::Available,
            current_connections: 0,
            connection_limit: 0,
        };
        builder.pool("mlPool", "Common", "ratio-member", &[member]);
        validate(decisions, &builder.build(1, 0), &ActionKind::ALL)
    }

    #[test]
    fn tables_become_decisions_in_the_contract_order() {
        let mut output = decisions();
        output.member_ratios.member = vec![0];
        output.member_ratios.ratio = vec![40];
        output.member_ratios.reason = vec![0];
        output.member_states.member = vec![0];
        output.member_states.state = vec![MemberState::Disabled.code()];
        output.member_states.reason = vec![1];
        assert_eq!(
            validate_all(output),
            Ok(vec![
                Decision {
                    action: Action::SetMemberState {
                        member: 0,
                        state: MemberState::Disabled
                    },
                    reason: "idle".into(),
                },
                Decision {
                    action: Action::SetMemberRatio {
                        member: 0,
                        ratio: 40
                    },
                    reason: "busy".into(),
                },
            ])
        );
        assert_eq!(validate_all(decisions()), Ok(vec![]));
    }

    #[test]
    fn columns_of_different_lengths_are_rejected() {
        let mut ragged = decisions();
        ragged.group_sizes.group = vec![0, 0];
        ragged.group_sizes.target_size = vec![3];
        ragged.group_sizes.reason = vec![0, 1];
        assert_eq!(
            validate_all(ragged),
            Err(
                "group-sizes: the columns differ in length (group 2, target-size 1, reason 2)"
                    .into()
            )
        );
    }

    #[test]
    fn a_broken_reason_table_is_rejected() {
        let mut broken = decisions();
        broken.reasons.offsets = vec![0, 6, 4];
        assert!(
            validate_all(broken)
                .unwrap_err()
                .contains("offset 2 decreases")
        );

        let mut broken = decisions();
        broken.reasons.text = "é".into();
        broken.reasons.offsets = vec![0, 1, 2];
        broken.member_ratios.member = vec![0];
        broken.member_ratios.ratio = vec![5];
        broken.member_ratios.reason = vec![0];
        assert!(
            validate_all(broken)
                .unwrap_err()
                .contains("reason 0 (bytes 0..1) cuts a UTF-8 character")
        );
    }

    #[test]
    fn a_missing_or_empty_reason_is_rejected() {
        let mut missing = decisions();
        missing.member_states.member = vec![0];
        missing.member_states.state = vec![0];
        missing.member_states.reason = vec![7];
        assert!(
            validate_all(missing)
                .unwrap_err()
                .contains("reason 7 does not exist")
        );

        let mut empty = decisions();
        empty.reasons.text = "  ".into();
        empty.reasons.offsets = vec![0, 2];
        empty.member_ratios.member = vec![0];
        empty.member_ratios.ratio = vec![5];
        empty.member_ratios.reason = vec![0];
        assert!(
            validate_all(empty)
                .unwrap_err()
                .contains("the reason is empty")
        );
    }

    #[test]
    fn an_unknown_member_state_is_rejected() {
        let mut unknown = decisions();
        unknown.member_states.member = vec![0];
        unknown.member_states.state = vec![9];
        unknown.member_states.reason = vec![0];
        assert_eq!(
            validate_all(unknown),
            Err("member-states row 0 (member-state): state 9 is not a member-state case".into())
        );
    }
}
