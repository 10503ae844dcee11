//! Test policy: built against an old contract, `fulcrum:policy@0.1.0` (the
//! copy in `wit/types.wit`, identical to the current contract but for its
//! version), so the host can check it refuses or handles a policy whose
//! contract version it does not implement. It uses `wit-bindgen` directly, not
//! the SDK, which is bound to the current contract.
//!
//! `metadata` is well-formed, `configure` accepts anything and `decide`
//! returns no decisions.

#![allow(
    unsafe_code,
    reason = "wit-bindgen's generated exports are unsafe extern functions"
)]

/// Bindings generated from `wit/types.wit`.
mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "fulcrum:policy/policy",
    });
}

use bindings::fulcrum::policy::types::{
    ActionKind, CapacityScalers, Decisions, GroupSizes, MemberRatios, MemberStates, Metadata,
    Snapshot, StringTable,
};

/// A well-behaved policy on the old contract.
pub struct OldContract;

impl bindings::Guest for OldContract {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-old-contract".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "built against fulcrum:policy@0.1.0".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(_settings: String) -> Result<(), String> {
        Ok(())
    }

    fn decide(_snapshot: Snapshot) -> Result<Decisions, String> {
        Ok(Decisions {
            reasons: StringTable {
                text: String::new(),
                offsets: vec![0],
            },
            member_states: MemberStates {
                member: Vec::new(),
                state: Vec::new(),
                reason: Vec::new(),
            },
            member_ratios: MemberRatios {
                member: Vec::new(),
                ratio: Vec::new(),
                reason: Vec::new(),
            },
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

#[cfg(target_arch = "wasm32")]
bindings::export!(OldContract with_types_in bindings);
