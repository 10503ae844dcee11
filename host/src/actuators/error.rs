//! [`ApplyError`]: why one planned change was not applied. It is cloned per
//! change — a pool's failed transaction fails each of its changes, an intent
//! that could not be recorded fails every change of the plan — so the
//! backends' errors it carries are shared, not copied.

use std::sync::Arc;

use super::mig::refusal::StartRefused;
use crate::ha::HaError;
use crate::store::StateError;

/// Why a planned change was not applied; backend errors keep their causes.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApplyError {
    /// The cycle's intent could not be committed, so nothing was applied.
    #[error("not applied: the intent could not be recorded: {0}")]
    NotRecorded(#[source] Arc<StateError>),
    /// This replica could not confirm it still leads, so it applied nothing.
    #[error("not applied: the lead is not confirmed: {0}")]
    NotLeading(#[source] Arc<HaError>),
    /// The lease lapsed while the change was being applied: applying
    /// stopped, and the next leader reads what holds.
    #[error(
        "not known whether applied: {0}; applying stopped, and the next leader reads what holds"
    )]
    LeaseLapsed(#[source] Arc<HaError>),
    /// The change is for a backend the host has no configuration for.
    #[error("no [{backend}] is configured")]
    NotConfigured { backend: &'static str },
    /// The BIG-IP did not apply the pool's change set.
    #[error(transparent)]
    BigIp(Arc<fulcrum_bigip::actuator::ApplyError>),
    /// A Compute call or its operation failed.
    #[error(transparent)]
    Gce(Arc<fulcrum_gce::GceError>),
    /// The group is not one the host manages.
    #[error("group {location}/{group} is not one of the configured [[gce.groups]]")]
    UnmanagedGroup { group: String, location: String },
    /// A MIG layout, left to the MIG rollout, which is not configured.
    #[error("MIG layouts are applied by the MIG rollout")]
    MigRolloutOnly,
    /// A MIG layout with no load balancer to drain its node through.
    #[error("MIG layouts need a [bigip] to drain nodes through")]
    MigNoDrain,
    /// The MIG layout did not become a rollout.
    #[error(transparent)]
    MigRefused(StartRefused),
    /// The MIG rollouts reported nothing about the layout.
    #[error("{node}: no rollout was started")]
    MigNotStarted { node: String },
}
