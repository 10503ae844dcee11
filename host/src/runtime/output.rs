//! Checks a policy's decisions against the contract before anything acts on
//! them: tables whose columns line up, at most one row per target (so the
//! output is bounded by the snapshot), rows inside the snapshot, reasons
//! that exist, values in range, only declared kinds. The output is taken or
//! rejected whole.
//!
//! [`fuel`] bounds what the guest may hand back before it is even lifted:
//! the largest valid output for the snapshot, in the bytes the host would
//! allocate for it.

mod error;

use std::mem::size_of;
use std::sync::Arc;

use crate::model::{
    Action, ActionKind, Code, Decision, MemberState, ProfileCount, Reason, Snapshot,
};

use crate::wit::current::types as wit;
use error::{OutputError, RowError};

/// Longest reason kept, in bytes.
pub const MAX_REASON_BYTES: usize = 1024;
/// Longest MIG profile name, in bytes ("1g.10gb+me" is 10).
pub const MAX_PROFILE_NAME_BYTES: usize = 32;
/// Most profile entries in one MIG layout (a GPU holds at most 7 instances).
pub const MAX_PROFILES_PER_LAYOUT: usize = 8;
/// Room for an error message and the output's fixed parts.
const BASE_FUEL: usize = 64 << 10;

/// The most bytes `decide` may hand back for `snapshot`: every table with one
/// row per target, each row with a reason of its own at the longest, or an
/// error message; and no less than what a state write up to the quota needs.
pub(crate) fn fuel(snapshot: &Snapshot, state_quota_bytes: u64) -> usize {
    let members = snapshot.members.pool.len();
    let groups = snapshot.instance_groups.name.len();
    let gpus = snapshot.gpus.node.len();
    let rows = 2 * members + 2 * groups + gpus;
    let member_row = 3 * size_of::<u32>() + 2 * size_of::<u32>() + size_of::<u8>();
    let group_row = 2 * (3 * size_of::<u32>());
    let layout = size_of::<wit::MigLayout>()
        + size_of::<u32>()
        + MAX_PROFILES_PER_LAYOUT * (size_of::<wit::ProfileCount>() + MAX_PROFILE_NAME_BYTES);
    let output = members * member_row
        + groups * group_row
        + gpus * layout
        + (rows + 1) * size_of::<u32>()
        + rows * MAX_REASON_BYTES;
    let state_write = usize::try_from(state_quota_bytes).unwrap_or(usize::MAX);
    BASE_FUEL.saturating_add(output.max(state_write))
}

/// Convert and check `decisions`, table by table in the contract's order;
/// the first violation names the table and row.
pub(crate) fn validate(
    decisions: wit::Decisions,
    snapshot: &Snapshot,
    declared: &[ActionKind],
) -> Result<Vec<Decision>, OutputError> {
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

    let members = snapshot.members.pool.len();
    let groups = snapshot.instance_groups.name.len();
    table.open(
        "member-states",
        ActionKind::MemberState,
        ("member", members),
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
        table.row(i, reason, |seen| {
            seen.claim(member)?;
            let state = MemberState::from_code(code);
            if state.code() != code {
                return Err(RowError::State { code });
            }
            Ok(Action::SetMemberState { member, state })
        })?;
    }

    table.open(
        "member-ratios",
        ActionKind::MemberRatio,
        ("member", members),
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
        table.row(i, reason, |seen| {
            seen.claim(member)?;
            if !(1..=65535).contains(&ratio) {
                return Err(RowError::Ratio { ratio });
            }
            Ok(Action::SetMemberRatio { member, ratio })
        })?;
    }

    table.open(
        "capacity-scalers",
        ActionKind::CapacityScaler,
        ("group", groups),
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
        table.row(i, reason, |seen| {
            seen.claim(group)?;
            if snapshot.instance_groups.backend_service[group as usize] == crate::model::NONE {
                return Err(RowError::NoBackendService { group });
            }
            if !(scaler == 0.0 || (0.1..=1.0).contains(&scaler)) {
                return Err(RowError::Scaler { scaler });
            }
            Ok(Action::SetCapacityScaler { group, scaler })
        })?;
    }

    table.open(
        "group-sizes",
        ActionKind::GroupSize,
        ("group", groups),
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
        table.row(i, reason, |seen| {
            seen.claim(group)?;
            Ok(Action::ResizeGroup { group, target_size })
        })?;
    }

    let gpus = snapshot.gpus.node.len();
    table.open(
        "mig-layouts",
        ActionKind::MigLayout,
        ("gpu", gpus),
        &[("", layouts.len())],
    )?;
    for (i, layout) in layouts.into_iter().enumerate() {
        let reason = layout.reason;
        table.row(i, reason, |seen| mig_layout(layout, snapshot, seen))?;
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
    fn new(table: wit::StringTable) -> Result<Self, OutputError> {
        let wit::StringTable { text, offsets } = table;
        if offsets.first() != Some(&0) {
            return Err(OutputError::ReasonsStart);
        }
        if let Some(pair) = offsets.windows(2).position(|pair| pair[0] > pair[1]) {
            return Err(OutputError::ReasonsDecrease { offset: pair + 1 });
        }
        if offsets.last().map(|&end| end as usize) != Some(text.len()) {
            return Err(OutputError::ReasonsEnd { len: text.len() });
        }
        Ok(Reasons {
            text: Arc::from(text),
            offsets,
        })
    }

    /// Reason `id`, checked.
    fn get(&self, id: u32) -> Result<Reason, RowError> {
        let id = id as usize;
        if id + 1 >= self.offsets.len() {
            return Err(RowError::NoReason {
                id,
                count: self.offsets.len() - 1,
            });
        }
        let (start, end) = (self.offsets[id], self.offsets[id + 1]);
        let reason =
            Reason::slice(&self.text, start, end).ok_or(RowError::ReasonCut { id, start, end })?;
        if reason.len() > MAX_REASON_BYTES {
            return Err(RowError::ReasonTooLong {
                bytes: reason.len(),
            });
        }
        if reason.trim().is_empty() {
            return Err(RowError::ReasonEmpty);
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
    seen: Targets,
}

/// The targets (members, groups, GPUs) one table has rows for: each at most once.
struct Targets {
    noun: &'static str,
    rows: Vec<Option<u32>>,
    current: u32,
}

impl Targets {
    /// Record that the current row acts on target `index`.
    fn claim(&mut self, index: u32) -> Result<(), RowError> {
        let noun = self.noun;
        let len = self.rows.len();
        let slot = self
            .rows
            .get_mut(index as usize)
            .ok_or(RowError::NoTarget { noun, index, len })?;
        if let Some(first) = *slot {
            return Err(RowError::TargetTwice { noun, index, first });
        }
        *slot = Some(self.current);
        Ok(())
    }
}

impl<'r, 'o> Table<'r, 'o> {
    fn new(reasons: &'r Reasons, declared: &'r [ActionKind], out: &'o mut Vec<Decision>) -> Self {
        Table {
            reasons,
            declared,
            out,
            name: "",
            kind: ActionKind::MemberRatio,
            seen: Targets {
                noun: "",
                rows: Vec::new(),
                current: 0,
            },
        }
    }

    /// Start table `name` of `kind`, whose rows act on the snapshot's
    /// `targets` (a noun and how many there are): its columns, named with
    /// their lengths, must line up, it may have at most one row per target,
    /// and a table with rows must be of a declared kind.
    fn open(
        &mut self,
        name: &'static str,
        kind: ActionKind,
        (noun, targets): (&'static str, usize),
        columns: &[(&str, usize)],
    ) -> Result<(), OutputError> {
        self.name = name;
        self.kind = kind;
        let rows = columns[0].1;
        if columns.iter().any(|&(_, len)| len != rows) {
            let lengths: Vec<String> = columns
                .iter()
                .map(|(column, len)| format!("{column} {len}"))
                .collect();
            return Err(OutputError::Ragged {
                table: name,
                lengths: lengths.join(", "),
            });
        }
        if rows > 0 && !self.declared.contains(&kind) {
            return Err(OutputError::Undeclared {
                table: name,
                kind,
                rows,
            });
        }
        if rows > targets {
            return Err(OutputError::TooManyRows {
                table: name,
                rows,
                targets,
                noun,
            });
        }
        self.seen = Targets {
            noun,
            rows: if rows > 0 {
                vec![None; targets]
            } else {
                Vec::new()
            },
            current: 0,
        };
        Ok(())
    }

    /// Check row `index` and keep it with its reason.
    fn row(
        &mut self,
        index: usize,
        reason: u32,
        action: impl FnOnce(&mut Targets) -> Result<Action, RowError>,
    ) -> Result<(), OutputError> {
        self.seen.current = index as u32;
        let seen = &mut self.seen;
        let checked = self
            .reasons
            .get(reason)
            .and_then(|reason| Ok((action(seen)?, reason)));
        let (action, reason) = checked.map_err(|source| OutputError::Row {
            table: self.name,
            index,
            kind: self.kind,
            source,
        })?;
        self.out.push(Decision { action, reason });
        Ok(())
    }
}

fn mig_layout(
    layout: wit::MigLayout,
    s: &Snapshot,
    seen: &mut Targets,
) -> Result<Action, RowError> {
    let wit::MigLayout {
        node,
        gpus,
        profiles,
        ..
    } = layout;
    row("node", node, s.nodes.name.len())?;
    if gpus.is_empty() {
        return Err(RowError::NoGpus);
    }
    for &gpu in &gpus {
        // A GPU named twice, in this layout or another, is one rollout
        // asked to do two things.
        seen.claim(gpu)?;
        if s.gpus.node[gpu as usize] != node {
            return Err(RowError::GpuNotOnNode { gpu, node });
        }
    }
    if profiles.len() > MAX_PROFILES_PER_LAYOUT {
        return Err(RowError::TooManyProfiles {
            count: profiles.len(),
        });
    }
    if let Some(p) = profiles
        .iter()
        .find(|p| !valid_profile_name(&p.profile) || p.count == 0)
    {
        return Err(RowError::Profile {
            profile: crate::runtime::text::prefix(&p.profile, MAX_PROFILE_NAME_BYTES * 2)
                .to_owned(),
            count: p.count,
        });
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

/// MIG profile names as NVIDIA writes them: "1g.10gb", "1g.10gb+me", "1c.3g.40gb".
fn valid_profile_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_PROFILE_NAME_BYTES
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'+')
}

fn row(noun: &'static str, index: u32, len: usize) -> Result<(), RowError> {
    if (index as usize) < len {
        Ok(())
    } else {
        Err(RowError::NoTarget { noun, index, len })
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

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

    /// An enabled member of ratio 10 named `name`.
    fn member(name: &str) -> MemberSample<'_> {
        MemberSample {
            name,
            address: "127.0.1.1",
            port: 8080,
            ratio: 10,
            state: MemberState::Enabled,
            availability: Availability::Available,
            current_connections: 0,
            connection_limit: 0,
        }
    }

    /// Checked against a snapshot with one pool of one member.
    fn validate_all(decisions: wit::Decisions) -> Result<Vec<Decision>, OutputError> {
        let mut builder = SnapshotBuilder::new();
        builder.pool(
            "mlPool",
            "Common",
            "ratio-member",
            &[member("ml-node-1:8080")],
        );
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
            validate_all(output).unwrap(),
            vec![
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
            ]
        );
        assert_eq!(validate_all(decisions()).unwrap(), vec![]);
    }

    #[test]
    fn columns_of_different_lengths_are_rejected() {
        let mut ragged = decisions();
        ragged.group_sizes.group = vec![0, 0];
        ragged.group_sizes.target_size = vec![3];
        ragged.group_sizes.reason = vec![0, 1];
        assert_eq!(
            validate_all(ragged).unwrap_err().to_string(),
            "group-sizes: the columns differ in length (group 2, target-size 1, reason 2)"
        );
    }

    #[test]
    fn a_broken_reason_table_is_rejected() {
        let mut broken = decisions();
        broken.reasons.offsets = vec![0, 6, 4];
        assert!(
            validate_all(broken)
                .unwrap_err()
                .to_string()
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
                .to_string()
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
                .to_string()
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
                .to_string()
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
            validate_all(unknown).unwrap_err().to_string(),
            "member-states row 0 (member-state): state 9 is not a member-state case"
        );
    }

    #[test]
    fn more_rows_than_targets_are_rejected_before_any_row_is_read() {
        let mut flood = decisions();
        flood.member_ratios.member = vec![0; 3];
        flood.member_ratios.ratio = vec![5; 3];
        flood.member_ratios.reason = vec![0; 3];
        assert_eq!(
            validate_all(flood).unwrap_err().to_string(),
            "member-ratios: 3 rows for 1 members; at most one row per member"
        );
    }

    #[test]
    fn a_target_named_twice_in_one_table_is_rejected() {
        let mut twice = decisions();
        twice.member_states.member = vec![0];
        twice.member_states.state = vec![MemberState::Disabled.code()];
        twice.member_states.reason = vec![0];
        // A state and a ratio for the same member are two targets' kinds: fine.
        twice.member_ratios.member = vec![0];
        twice.member_ratios.ratio = vec![5];
        twice.member_ratios.reason = vec![1];
        assert!(validate_all(twice).is_ok());

        let mut builder = SnapshotBuilder::new();
        builder.pool(
            "mlPool",
            "Common",
            "ratio-member",
            &[member("a:1"), member("b:1")],
        );
        let snapshot = builder.build(1, 0);
        let mut output = decisions();
        output.member_ratios.member = vec![1, 1];
        output.member_ratios.ratio = vec![5, 6];
        output.member_ratios.reason = vec![0, 1];
        assert_eq!(
            validate(output, &snapshot, &ActionKind::ALL)
                .unwrap_err()
                .to_string(),
            "member-ratios row 1 (member-ratio): member 1 already has row 0; at most one row per member"
        );
    }

    #[test]
    fn fuel_grows_with_the_snapshot_and_covers_the_state_quota() {
        let small = SnapshotBuilder::new().build(1, 0);
        assert!(fuel(&small, 1 << 20) >= 1 << 20);
        let mut builder = SnapshotBuilder::new();
        let members: Vec<MemberSample<'_>> = (0..100).map(|_| member("m:1")).collect();
        builder.pool("p", "Common", "ratio-member", &members);
        let larger = builder.build(1, 0);
        assert!(fuel(&larger, 0) > fuel(&small, 0) + 200 * MAX_REASON_BYTES);
    }

    fn column<T: std::fmt::Debug + Clone>(
        values: impl proptest::strategy::Strategy<Value = T>,
    ) -> impl proptest::strategy::Strategy<Value = Vec<T>> {
        proptest::collection::vec(values, 0..6)
    }

    proptest::proptest! {
        /// Whatever tables a policy hands back, checking them gives
        /// decisions or an error; it never panics.
        #[test]
        fn arbitrary_output_is_checked_without_panicking(
            text in "[a-zé ]{0,12}",
            offsets in column(0u32..16),
            members in column(proptest::prelude::any::<u32>().prop_map(|v| v % 4)),
            ratios in column(0u32..70_000),
            reasons in column(0u32..4),
            states in column(0u8..5),
            groups in column(0u32..3),
            scalers in column(proptest::prelude::any::<f32>()),
            sizes in column(proptest::prelude::any::<u32>()),
            layout_gpus in column(column(0u32..3)),
            profile in "[a-z0-9.+\\x1b]{0,40}",
        ) {
            let output = wit::Decisions {
                reasons: wit::StringTable { text, offsets },
                member_states: wit::MemberStates {
                    member: members.clone(),
                    state: states,
                    reason: reasons.clone(),
                },
                member_ratios: wit::MemberRatios {
                    member: members,
                    ratio: ratios,
                    reason: reasons.clone(),
                },
                capacity_scalers: wit::CapacityScalers {
                    group: groups.clone(),
                    scaler: scalers,
                    reason: reasons.clone(),
                },
                group_sizes: wit::GroupSizes {
                    group: groups,
                    target_size: sizes,
                    reason: reasons,
                },
                mig_layouts: layout_gpus
                    .into_iter()
                    .map(|gpus| wit::MigLayout {
                        node: 0,
                        gpus,
                        profiles: vec![wit::ProfileCount { profile: profile.clone(), count: 1 }],
                        reason: 0,
                    })
                    .collect(),
            };
            let _ = validate_all(output);
        }
    }
}
