//! Test policy: built against the previous contract, `fulcrum:policy@0.2.0`
//! (`wit/v0.2.0/types.wit`, kept unchanged in the repository), whose
//! snapshot has one list element per number. The host still loads such
//! policies, so it can check that a 0.2.0 policy reads the snapshot intact
//! and that its decisions, log and state calls still work. It uses
//! `wit-bindgen` directly, not the SDK, which is bound to the current
//! contract.
//!
//! `decide` raises every pool member's ratio by one, with a reason that
//! echoes what the policy read for the member (see [`echo`]), so a test can
//! compare it with the snapshot it handed over; it logs one line, and
//! counts its evaluations under the state key `count`.

#![allow(
    unsafe_code,
    reason = "wit-bindgen's generated exports are unsafe extern functions"
)]

/// Bindings generated from `wit/v0.2.0/types.wit`.
mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit/v0.2.0",
        world: "fulcrum:policy/policy",
    });
}

use bindings::fulcrum::policy::types::{
    ActionKind, CapacityScalers, Decisions, GroupSizes, MemberRatios, MemberStates, Metadata,
    Snapshot, StringTable,
};
use bindings::fulcrum::policy::{log, state};

/// A well-behaved policy on the previous contract.
pub struct ContractV02;

impl bindings::Guest for ContractV02 {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-contract-v0-2".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "built against fulcrum:policy@0.2.0".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn decide(snapshot: Snapshot) -> Result<Decisions, String> {
        let count = state::get("count")
            .and_then(|bytes| bytes.try_into().ok())
            .map_or(0, u64::from_le_bytes)
            + 1;
        state::set("count", &count.to_le_bytes()).map_err(|err| format!("{err:?}"))?;
        log::log(log::Level::Info, "decided on a 0.2.0 snapshot");

        let members = &snapshot.members;
        let mut reasons = StringTable {
            text: String::new(),
            offsets: vec![0],
        };
        let mut ratios = MemberRatios {
            member: Vec::new(),
            ratio: Vec::new(),
            reason: Vec::new(),
        };
        for (row, &ratio) in members.ratio.iter().enumerate() {
            ratios.member.push(row as u32);
            ratios.ratio.push(ratio.saturating_add(1).min(65_535));
            ratios.reason.push((reasons.offsets.len() - 1) as u32);
            reasons.text.push_str(&echo(&snapshot, row));
            reasons.offsets.push(reasons.text.len() as u32);
        }
        Ok(Decisions {
            reasons,
            member_states: MemberStates {
                member: Vec::new(),
                state: Vec::new(),
                reason: Vec::new(),
            },
            member_ratios: ratios,
            capacity_scalers: CapacityScalers {
                group: Vec::new(),
                scaler: Vec::new(),
                reason: Vec::new(),
            },
            group_sizes: GroupSizes {
                group: Vec::new(),
                target_size: Vec::new(),
                reason: Vec::new(),
            },
            mig_layouts: Vec::new(),
        })
    }
}

/// What the policy read for member `row`, a column of every number type:
/// `"{name} port {port} node {node} ({address}): {gpus} GPUs, utilization
/// {sum}, uuid {high:016x}, xid {last}, signal {name}={value}, {strings}
/// strings"`, where the GPU figures are over the member's node's GPUs and the
/// signal is the snapshot's first.
pub fn echo(snapshot: &Snapshot, row: usize) -> String {
    let string = |id: u32| {
        let offsets = &snapshot.strings.offsets;
        let (Some(&start), Some(&end)) = (offsets.get(id as usize), offsets.get(id as usize + 1))
        else {
            return "";
        };
        snapshot
            .strings
            .text
            .get(start as usize..end as usize)
            .unwrap_or("")
    };
    let members = &snapshot.members;
    let node = members.node[row] as usize;
    let gpus = &snapshot.gpus;
    let first = snapshot.nodes.gpu_start[node] as usize;
    let end = snapshot
        .nodes
        .gpu_start
        .get(node + 1)
        .map_or(gpus.node.len(), |&end| end as usize);
    let utilization: f32 = gpus.utilization[first..end].iter().sum();
    let (signal, value) = snapshot
        .signals
        .name
        .first()
        .zip(snapshot.signals.value.first())
        .map_or(("", 0.0), |(&name, &value)| (string(name), value));
    format!(
        "{} port {} node {} ({}): {} GPUs, utilization {utilization}, uuid {:016x}, xid {}, signal {signal}={value}, {} strings",
        string(members.name[row]),
        members.port[row],
        string(snapshot.nodes.name[node]),
        string(snapshot.nodes.address[node]),
        end - first,
        gpus.uuid_high[first],
        gpus.last_xid[first],
        snapshot.strings.offsets.len() - 1,
    )
}

#[cfg(target_arch = "wasm32")]
bindings::export!(ContractV02 with_types_in bindings);
