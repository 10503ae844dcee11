//! [`MigRequest`]: one layout for some GPUs of one node, checked against the
//! GPUs' model before anything is drained. This is what a `set-mig-layout`
//! decision becomes once the guard accepts it, and what the rollout persists.
//! [`check_geometry`] is the guard's MIG geometry rail.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::guard::GeometryError;
use crate::model::{ProfileCount, Snapshot};
use fulcrum_mig::GpuModel;
use fulcrum_mig::{LayoutError, Placed};

/// Put `gpus` of `node` into one MIG layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigRequest {
    /// Node name.
    pub node: String,
    /// Device indices of the GPUs on the node, ascending.
    pub gpus: Vec<u32>,
    /// Model name the GPUs report ("NVIDIA H100 80GB HBM3").
    pub model: String,
    /// Instances per profile; empty disables MIG on the GPUs.
    pub profiles: BTreeMap<String, u32>,
}

/// Why a layout request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("set-mig-layout: node row {node} is not in the snapshot")]
    NoNode { node: u32 },
    #[error("set-mig-layout on {node}: the action names no GPU")]
    NoGpus { node: String },
    #[error("set-mig-layout on {node}: GPU row {gpu} is not one of the node's GPUs")]
    ForeignGpu { node: String, gpu: u32 },
    #[error("set-mig-layout on {node}: GPU {index} is a {model}, which has no MIG profile table")]
    UnknownModel {
        node: String,
        index: u32,
        model: String,
    },
    #[error(
        "set-mig-layout on {node}: GPUs of different models ({first}, {other}) cannot share one layout"
    )]
    MixedModels {
        node: String,
        first: String,
        other: String,
    },
    #[error("set-mig-layout on {node}, GPUs {gpus:?}: {source}")]
    Layout {
        node: String,
        gpus: Vec<u32>,
        #[source]
        source: LayoutError,
    },
}

impl MigRequest {
    /// Check a `set-mig-layout` action against `snapshot`: the node exists,
    /// every GPU row belongs to it, the GPUs share a model with a profile
    /// table, and the layout has a valid placement on that model.
    pub fn from_action(
        snapshot: &Snapshot,
        node: u32,
        gpus: &[u32],
        profiles: &[ProfileCount],
    ) -> Result<MigRequest, RequestError> {
        let node_name = snapshot
            .nodes
            .name
            .get(node as usize)
            .map(|&id| snapshot.string(id).to_owned())
            .ok_or(RequestError::NoNode { node })?;
        if gpus.is_empty() {
            return Err(RequestError::NoGpus { node: node_name });
        }
        let rows = snapshot.node_gpus(node);
        let mut indices = Vec::with_capacity(gpus.len());
        let mut model_name: Option<String> = None;
        for &gpu in gpus {
            if !rows.contains(&(gpu as usize)) {
                return Err(RequestError::ForeignGpu {
                    node: node_name,
                    gpu,
                });
            }
            let index = snapshot.gpus.index[gpu as usize];
            let model = snapshot
                .string(snapshot.gpus.model[gpu as usize])
                .to_owned();
            match &model_name {
                Some(first) if *first != model => {
                    return Err(RequestError::MixedModels {
                        node: node_name,
                        first: first.clone(),
                        other: model,
                    });
                }
                Some(_) => {}
                None => model_name = Some(model),
            }
            indices.push(index);
        }
        indices.sort_unstable();
        indices.dedup();
        let counts = profiles
            .iter()
            .fold(BTreeMap::new(), |mut counts, profile| {
                *counts.entry(profile.profile.clone()).or_insert(0u32) += profile.count;
                counts
            });
        let request = MigRequest {
            node: node_name,
            gpus: indices,
            model: model_name.unwrap_or_default(),
            profiles: counts,
        };
        request.placement()?;
        Ok(request)
    }

    /// The GPUs' model, from the reported model name.
    pub fn gpu_model(&self) -> Result<GpuModel, RequestError> {
        GpuModel::from_name(&self.model).ok_or_else(|| RequestError::UnknownModel {
            node: self.node.clone(),
            index: self.gpus.first().copied().unwrap_or_default(),
            model: self.model.clone(),
        })
    }

    /// The placement each GPU gets; empty when MIG is to be disabled.
    pub fn placement(&self) -> Result<Vec<Placed>, RequestError> {
        let model = self.gpu_model()?;
        fulcrum_mig::place(
            model,
            self.profiles
                .iter()
                .map(|(name, &count)| (name.as_str(), count)),
        )
        .map_err(|source| RequestError::Layout {
            node: self.node.clone(),
            gpus: self.gpus.clone(),
            source,
        })
    }

    /// Whether the request disables MIG instead of setting instances.
    pub fn disables_mig(&self) -> bool {
        self.profiles.values().all(|&count| count == 0)
    }

    /// The layout in a line: "2×1g.10gb + 1×3g.40gb", or "MIG disabled".
    pub fn describe(&self) -> String {
        if self.disables_mig() {
            return "MIG disabled".to_owned();
        }
        let parts: Vec<String> = self
            .profiles
            .iter()
            .filter(|&(_, &count)| count > 0)
            .map(|(name, count)| format!("{count}×{name}"))
            .collect();
        parts.join(" + ")
    }
}

/// The MIG geometry rail (the guard's `MigGeometry`): a layout must have a
/// valid placement on the GPUs' model; the refusal is a [`RequestError`].
pub fn check_geometry(
    snapshot: &Snapshot,
    node: u32,
    gpus: &[u32],
    profiles: &[ProfileCount],
) -> Result<(), GeometryError> {
    MigRequest::from_action(snapshot, node, gpus, profiles)
        .map(drop)
        .map_err(Into::into)
}
