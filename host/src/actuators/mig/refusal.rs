//! [`StartRefused`]: why a planned MIG layout did not become a rollout —
//! its node is mid-rollout, or the snapshot's GPUs cannot take the layout.

use super::request::RequestError;

/// Why a planned layout was not started.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartRefused {
    /// The node has a rollout in progress; the layout waits until it finishes.
    #[error(
        "{node} is mid-rollout ({phase}: {layout} on GPUs {gpus:?}); a new layout waits until it finishes"
    )]
    MidRollout {
        node: String,
        /// The running rollout's phase.
        phase: &'static str,
        /// The running rollout's layout, described.
        layout: String,
        /// The running rollout's GPUs.
        gpus: Vec<u32>,
    },
    #[error("{node} is not in the snapshot")]
    NoNode { node: String },
    #[error("{node} has no GPU {index} in the snapshot")]
    NoGpu { node: String, index: u32 },
    #[error("{node}: GPUs {gpus:?} are of different models ({first}, {other})")]
    MixedModels {
        node: String,
        gpus: Vec<u32>,
        first: String,
        other: String,
    },
    /// The layout has no valid placement on the GPUs' model.
    #[error(transparent)]
    Geometry(#[from] RequestError),
}
