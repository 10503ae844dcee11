//! MIG on the simulated fleet: which GPUs are in MIG mode, their instances
//! (whose activity follows the GPU's load), and the node agent that
//! reconfigures them, reached through a shared [`MigAgent`] handle so the
//! fleet steps it and the host's MIG rollout drives it as an
//! [`Executor`] like any other.
//!
//! Reconfiguration behaves like the driver's: it is accepted only while
//! every GPU named is idle, takes [`MigAgent::set_reconfigure_steps`] fleet
//! steps, and fails (the old layout stays) if a GPU turns busy meanwhile.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::actuators::mig::executor::{ApplyStatus, Executor};
use crate::actuators::mig::request::MigRequest;
use fulcrum_mig::Placed;

use super::gpu::GpuKind;

/// Activity at or below which a simulated GPU counts as idle.
pub const IDLE_ACTIVITY: f64 = 0.05;
/// Fleet steps a reconfiguration takes unless set otherwise.
const DEFAULT_RECONFIGURE_STEPS: u32 = 2;
/// The layout node 0's first four H100s start in: one whole-GPU instance each.
const SEED_PROFILE: &str = "7g.80gb";
const SEED_GPUS: usize = 4;

/// One MIG GPU instance of a simulated GPU.
#[derive(Debug, Clone, PartialEq)]
pub struct SimInstance {
    /// Profile name ("1g.10gb").
    pub profile: &'static str,
    /// GPU instance id, unique on its GPU.
    pub id: u32,
    /// First memory slice and the number of slices it covers.
    pub start: u8,
    pub size: u8,
    /// Graphics-engine activity ratio 0..=1.
    pub utilization: f64,
    pub memory_used_mib: f32,
    pub memory_total_mib: f32,
}

/// Instances per profile name.
type Layout = BTreeMap<String, u32>;

#[derive(Debug, Clone)]
struct GpuMig {
    /// `None` while MIG mode is off.
    instances: Option<Vec<SimInstance>>,
    /// The GPU's activity at the last step.
    activity: f64,
    change: Option<Reconfiguration>,
    /// The last change that failed, and why.
    failure: Option<(Layout, String)>,
}

#[derive(Debug, Clone)]
struct Reconfiguration {
    layout: Layout,
    placed: Vec<Placed>,
    steps_left: u32,
}

#[derive(Debug)]
struct NodeMig {
    name: String,
    kind: GpuKind,
    gpus: Vec<GpuMig>,
}

#[derive(Debug)]
struct FleetMig {
    nodes: Vec<NodeMig>,
    reconfigure_steps: u32,
}

/// The fleet's MIG state and node agent; clones share it.
#[derive(Debug, Clone)]
pub struct MigAgent {
    inner: Arc<Mutex<FleetMig>>,
}

/// Why the node agent refused a layout; names the node and GPU.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgentError {
    #[error("mig agent: no node {node} in the fleet")]
    NoNode { node: String },
    #[error("mig agent on {node}: no GPU {gpu}")]
    NoGpu { node: String, gpu: u32 },
    #[error("mig agent on {node}: the GPUs are {actual}s, the request is for {requested}")]
    Model {
        node: String,
        actual: String,
        requested: String,
    },
    #[error("mig agent on {node}: {reason}")]
    Layout { node: String, reason: String },
    #[error(
        "mig agent on {node}, GPU {gpu}: in use (activity {activity:.2}); MIG reconfigures only when idle"
    )]
    Busy {
        node: String,
        gpu: u32,
        activity: f64,
    },
}

impl MigAgent {
    /// MIG state for `nodes` (name, GPU model, GPU count): every GPU starts
    /// with MIG off, except the first node's first four H100s, which start
    /// with one 7g.80gb instance each.
    pub fn new<'a>(nodes: impl IntoIterator<Item = (&'a str, GpuKind, usize)>) -> Self {
        let nodes = nodes
            .into_iter()
            .enumerate()
            .map(|(index, (name, kind, count))| {
                let gpus = (0..count)
                    .map(|gpu| {
                        let seeded = index == 0 && gpu < SEED_GPUS && kind == GpuKind::H100Sxm80;
                        GpuMig {
                            instances: seeded.then(|| {
                                let layout = Layout::from([(SEED_PROFILE.to_owned(), 1)]);
                                instances(kind, &placement(kind, &layout).unwrap_or_default())
                            }),
                            activity: 0.0,
                            change: None,
                            failure: None,
                        }
                    })
                    .collect();
                NodeMig {
                    name: name.to_owned(),
                    kind,
                    gpus,
                }
            })
            .collect();
        MigAgent {
            inner: Arc::new(Mutex::new(FleetMig {
                nodes,
                reconfigure_steps: DEFAULT_RECONFIGURE_STEPS,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FleetMig> {
        // The state stays consistent between statements, so a panic
        // elsewhere while it was held leaves nothing half-written.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Fleet steps a reconfiguration takes from now on (0 applies at once).
    pub fn set_reconfigure_steps(&self, steps: u32) {
        self.lock().reconfigure_steps = steps;
    }

    /// Node `node`'s GPUs: each one's instances, `None` while MIG is off.
    pub fn instances(&self, node: usize) -> Vec<Option<Vec<SimInstance>>> {
        self.lock().nodes.get(node).map_or_else(Vec::new, |n| {
            n.gpus.iter().map(|g| g.instances.clone()).collect()
        })
    }

    /// One fleet step: each GPU takes its activity (`activity(node, gpu)`),
    /// its instances follow it, and reconfigurations progress or fail.
    pub(crate) fn advance(&self, activity: impl Fn(usize, usize) -> f64) {
        let mut fleet = self.lock();
        for (n, node) in fleet.nodes.iter_mut().enumerate() {
            for (g, gpu) in node.gpus.iter_mut().enumerate() {
                gpu.activity = activity(n, g);
                for instance in gpu.instances.iter_mut().flatten() {
                    follow(instance, gpu.activity);
                }
                let Some(change) = &mut gpu.change else {
                    continue;
                };
                if gpu.activity > IDLE_ACTIVITY {
                    let reason = format!(
                        "{} GPU {g}: in use by another client (activity {:.2}) during reconfiguration; the old layout stays",
                        node.name, gpu.activity
                    );
                    gpu.failure = Some((change.layout.clone(), reason));
                    gpu.change = None;
                } else if change.steps_left <= 1 {
                    finish(node.kind, gpu);
                } else {
                    change.steps_left -= 1;
                }
            }
        }
    }

    /// Start `request` if every GPU is idle; a GPU that holds or is already
    /// becoming the layout is left as it is.
    fn request(&self, request: &MigRequest) -> Result<(), AgentError> {
        let mut fleet = self.lock();
        let steps = fleet.reconfigure_steps;
        let node = fleet
            .nodes
            .iter_mut()
            .find(|n| n.name == request.node)
            .ok_or_else(|| AgentError::NoNode {
                node: request.node.clone(),
            })?;
        if node.kind.model_name() != request.model {
            return Err(AgentError::Model {
                node: node.name.clone(),
                actual: node.kind.model_name().to_owned(),
                requested: request.model.clone(),
            });
        }
        let placed = request.placement().map_err(|err| AgentError::Layout {
            node: node.name.clone(),
            reason: err.to_string(),
        })?;
        let layout = wanted(request);
        let mut starting = Vec::new();
        for &index in &request.gpus {
            let gpu = node
                .gpus
                .get(index as usize)
                .ok_or_else(|| AgentError::NoGpu {
                    node: node.name.clone(),
                    gpu: index,
                })?;
            let becoming = gpu.change.as_ref().is_some_and(|c| c.layout == layout);
            if becoming || (gpu.change.is_none() && holds(gpu, &layout, request)) {
                continue;
            }
            if gpu.activity > IDLE_ACTIVITY {
                return Err(AgentError::Busy {
                    node: node.name.clone(),
                    gpu: index,
                    activity: gpu.activity,
                });
            }
            starting.push(index as usize);
        }
        for index in starting {
            let gpu = &mut node.gpus[index];
            gpu.failure = None;
            gpu.change = Some(Reconfiguration {
                layout: layout.clone(),
                placed: placed.clone(),
                steps_left: steps,
            });
            if steps == 0 {
                finish(node.kind, gpu);
            }
        }
        Ok(())
    }

    /// Where `request` stands: failed if any GPU's change failed, pending
    /// while any is reconfiguring, success once all hold the layout.
    fn status(&self, request: &MigRequest) -> Result<ApplyStatus, AgentError> {
        let fleet = self.lock();
        let node = fleet
            .nodes
            .iter()
            .find(|n| n.name == request.node)
            .ok_or_else(|| AgentError::NoNode {
                node: request.node.clone(),
            })?;
        let layout = wanted(request);
        let mut pending = None;
        for &index in &request.gpus {
            let gpu = node
                .gpus
                .get(index as usize)
                .ok_or_else(|| AgentError::NoGpu {
                    node: node.name.clone(),
                    gpu: index,
                })?;
            match (&gpu.change, &gpu.failure) {
                (Some(change), _) if change.layout == layout => {
                    pending = Some(format!("reconfiguring, {} steps left", change.steps_left));
                }
                (None, Some((failed, reason))) if *failed == layout => {
                    return Ok(ApplyStatus::Failed(reason.clone()));
                }
                _ if holds(gpu, &layout, request) => {}
                _ => {
                    return Ok(ApplyStatus::Failed(format!(
                        "{} GPU {index}: holds another layout and is not becoming {}",
                        node.name,
                        request.describe()
                    )));
                }
            }
        }
        Ok(pending.map_or(ApplyStatus::Success, ApplyStatus::Pending))
    }
}

impl Executor for MigAgent {
    type Error = AgentError;

    async fn apply(&self, request: &MigRequest) -> Result<(), AgentError> {
        self.request(request)
    }

    async fn status(&self, request: &MigRequest) -> Result<ApplyStatus, AgentError> {
        MigAgent::status(self, request)
    }
}

/// The request's layout without zero counts.
fn wanted(request: &MigRequest) -> Layout {
    request
        .profiles
        .iter()
        .filter(|&(_, &count)| count > 0)
        .map(|(profile, &count)| (profile.clone(), count))
        .collect()
}

/// Whether `gpu` holds `layout` now (MIG off when the request disables it).
fn holds(gpu: &GpuMig, layout: &Layout, request: &MigRequest) -> bool {
    match &gpu.instances {
        None => request.disables_mig(),
        Some(instances) => {
            let mut have = Layout::new();
            for instance in instances {
                *have.entry(instance.profile.to_owned()).or_insert(0) += 1;
            }
            !request.disables_mig() && have == *layout
        }
    }
}

fn placement(kind: GpuKind, layout: &Layout) -> Option<Vec<Placed>> {
    let model = fulcrum_mig::GpuModel::from_name(kind.model_name())?;
    fulcrum_mig::place(model, layout.iter().map(|(p, &n)| (p.as_str(), n))).ok()
}

/// Complete `gpu`'s change: the new instances replace the old.
fn finish(kind: GpuKind, gpu: &mut GpuMig) {
    if let Some(change) = gpu.change.take() {
        gpu.instances = (!change.layout.is_empty()).then(|| instances(kind, &change.placed));
        for instance in gpu.instances.iter_mut().flatten() {
            follow(instance, gpu.activity);
        }
    }
}

/// Instances for a placement, ids ascending with the start slice.
fn instances(kind: GpuKind, placed: &[Placed]) -> Vec<SimInstance> {
    let mut placed = placed.to_vec();
    placed.sort_by_key(|p| p.start);
    placed
        .iter()
        .zip(1..)
        .map(|(p, id)| {
            let size = p.profile.class.memory_slices();
            let mut instance = SimInstance {
                profile: p.profile.name,
                id,
                start: p.start,
                size,
                utilization: 0.0,
                memory_used_mib: 0.0,
                memory_total_mib: (kind.memory_total_mib() * f32::from(size) / 8.0).round(),
            };
            follow(&mut instance, 0.0);
            instance
        })
        .collect()
}

/// An instance's activity is its GPU's, spread by a fixed per-instance skew;
/// its memory follows its activity.
fn follow(instance: &mut SimInstance, gpu_activity: f64) {
    let skew = 0.85 + 0.3 * f64::from((instance.id * 5) % 7) / 6.0;
    instance.utilization = (gpu_activity * skew).clamp(0.0, 1.0);
    instance.memory_used_mib =
        (instance.memory_total_mib * (0.1 + 0.6 * instance.utilization as f32)).round();
}

#[cfg(test)]
mod tests;
