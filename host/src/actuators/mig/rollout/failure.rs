//! Why a rollout step failed ([`StepError`]), and why a rollout ended
//! without its layout ([`RolloutFailed`]). A step's error keeps the drain's
//! or the executor's error as its cause; the phase persists it as one line
//! of text, since a rollout resumed after a restart has only that.

use std::error::Error;

use crate::actuators::mig::drain::{DrainRefused, MemberId};

/// The drain's or the executor's own error.
type Cause = Box<dyn Error + Send + Sync>;

/// Why one step of a rollout failed.
#[derive(Debug, thiserror::Error)]
pub(super) enum StepError {
    #[error("{node}: reading its pools failed: {source}")]
    Pools {
        node: String,
        #[source]
        source: Cause,
    },
    /// Draining would leave a pool with no enabled member.
    #[error(transparent)]
    Refused(#[from] DrainRefused),
    #[error("{node}: disabling {member} failed: {source}")]
    Disable {
        node: String,
        member: MemberId,
        #[source]
        source: Cause,
    },
    #[error("enabling {member} failed: {source}")]
    Enable {
        member: MemberId,
        #[source]
        source: Cause,
    },
    #[error("{node}: GPUs {gpus:?} still busy {seconds} s after draining")]
    StillBusy {
        node: String,
        gpus: Vec<u32>,
        seconds: u64,
    },
    #[error("{node}: applying failed: {source}")]
    Apply {
        node: String,
        #[source]
        source: Cause,
    },
    /// The executor reports that the node gave up.
    #[error("{node}: reconfiguration failed: {why}; the layout is unknown")]
    Reconfiguration { node: String, why: String },
    #[error("{node}: not confirmed within {seconds} s; the layout is unknown")]
    NotConfirmed { node: String, seconds: u64 },
}

/// A rollout that finished without its layout (service was restored), with
/// the failure as its phase recorded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct RolloutFailed {
    /// The failure, with its causes, in one line.
    pub reason: String,
}
