//! The `policy` world at every contract version the host loads: a policy
//! pre-instantiated against its version's bindings, and its instance's
//! exports, called in the current contract's types. A 0.3.0 policy gets
//! the snapshot with its columns packed ([`convert::packed`]); a 0.2.0 one
//! gets the model's snapshot as it is, and its answers are converted up
//! ([`convert::v0_2`]).

use wasmtime::component::InstancePre;
use wasmtime::{Engine, Store};

use super::contract::Contract;
use super::convert;
use super::host::EvalState;
use crate::model::Snapshot;
use crate::wit::{current, v0_2};

/// A policy component, type-checked against its contract version's world
/// and ready to instantiate.
#[derive(Clone)]
pub(crate) enum WorldPre {
    V0_2(v0_2::PolicyPre<EvalState>),
    V0_3(current::PolicyPre<EvalState>),
}

/// A live instance's exports.
pub(crate) enum World {
    V0_2(v0_2::Policy),
    V0_3(current::Policy),
}

impl WorldPre {
    /// Check that `pre` exports the `policy` world of `contract`.
    pub(crate) fn new(contract: Contract, pre: InstancePre<EvalState>) -> wasmtime::Result<Self> {
        Ok(match contract {
            Contract::V0_2 => WorldPre::V0_2(v0_2::PolicyPre::new(pre)?),
            Contract::V0_3 => WorldPre::V0_3(current::PolicyPre::new(pre)?),
        })
    }

    pub(crate) fn engine(&self) -> &Engine {
        match self {
            WorldPre::V0_2(pre) => pre.engine(),
            WorldPre::V0_3(pre) => pre.engine(),
        }
    }

    pub(crate) fn instantiate(&self, store: &mut Store<EvalState>) -> wasmtime::Result<World> {
        Ok(match self {
            WorldPre::V0_2(pre) => World::V0_2(pre.instantiate(store)?),
            WorldPre::V0_3(pre) => World::V0_3(pre.instantiate(store)?),
        })
    }
}

impl World {
    pub(crate) fn metadata(
        &self,
        store: &mut Store<EvalState>,
    ) -> wasmtime::Result<current::types::Metadata> {
        match self {
            World::V0_2(policy) => policy.call_metadata(store).map(convert::v0_2::metadata),
            World::V0_3(policy) => policy.call_metadata(store),
        }
    }

    pub(crate) fn configure(
        &self,
        store: &mut Store<EvalState>,
        settings: &str,
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            World::V0_2(policy) => policy.call_configure(store, settings),
            World::V0_3(policy) => policy.call_configure(store, settings),
        }
    }

    pub(crate) fn decide(
        &self,
        store: &mut Store<EvalState>,
        snapshot: &Snapshot,
    ) -> wasmtime::Result<Result<current::types::Decisions, String>> {
        match self {
            World::V0_2(policy) => policy
                .call_decide(store, snapshot)
                .map(|decided| decided.map(convert::v0_2::decisions)),
            World::V0_3(policy) => policy.call_decide(store, &convert::packed::snapshot(snapshot)),
        }
    }
}
