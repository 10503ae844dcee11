//! [`MigRollouts`]: the MIG rollouts in progress, at most one per node, as
//! the engine keeps them between cycles.
//!
//! Each cycle, after the plan, [`MigRollouts::cycle`]:
//!
//! 1. starts a [`Rollout`] for every planned [`Change::MigLayout`] whose node
//!    has none in progress, and refuses (with the reason) one for a node
//!    mid-rollout or a layout the snapshot's GPUs cannot take;
//! 2. drives every rollout through [`Rollout::drive`] with the GPUs' idleness
//!    read off the snapshot ([`gpus_idle`]), calling `persist` with the whole
//!    [`SavedRollouts`] after every step, so a host killed at any point
//!    resumes from [`MigRollouts::restore`] with no side effect lost;
//! 3. drops the rollouts that finished.
//!
//! ```ignore
//! let mut rollouts = MigRollouts::restore(settings, store.load_mig()?);
//! // every cycle, after planning:
//! let events = rollouts
//!     .cycle(&snapshot, &plan.changes, now_ms, &mut BigIpDrain::new(bigip), &executor,
//!            |saved| store.save_mig(saved))
//!     .await;
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::drain::Drain;
use super::executor::Executor;
use super::refusal::StartRefused;
use super::request::MigRequest;
use super::rollout::{Progress, Rollout, RolloutConfig, RolloutFailed, Tick};
use crate::model::Snapshot;
use crate::plan::{Change, PlannedChange};

/// How rollouts wait and when GPUs count as idle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RolloutSettings {
    /// Timeouts of every rollout started.
    pub rollout: RolloutConfig,
    /// Activity ratio (0..=1) at or below which a GPU or MIG instance is idle.
    pub idle_threshold: f32,
}

impl Default for RolloutSettings {
    /// The rollout's default timeouts; idle at 5% activity or less, the
    /// `mig-resize` policy's default busy threshold.
    fn default() -> Self {
        RolloutSettings {
            rollout: RolloutConfig::default(),
            idle_threshold: 0.05,
        }
    }
}

/// Every rollout in progress, as stored between cycles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRollouts {
    /// One per node, by node name.
    pub rollouts: Vec<Rollout>,
}

/// What a cycle did with MIG rollouts, for the log and the audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigEvent {
    /// A planned layout became a rollout.
    Started {
        policy: String,
        node: String,
        gpus: Vec<u32>,
        layout: String,
    },
    /// A planned layout was not started, and why.
    Refused {
        policy: String,
        node: String,
        gpus: Vec<u32>,
        reason: StartRefused,
    },
    /// One step of a rollout.
    Stepped {
        node: String,
        phase: &'static str,
        note: String,
    },
    /// A rollout finished: applied, or the failure (service restored either way).
    Finished {
        node: String,
        outcome: Result<(), RolloutFailed>,
    },
    /// Persisting failed; no rollout is driven further this cycle.
    PersistFailed { node: String, error: String },
}

impl fmt::Display for MigEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MigEvent::Started {
                policy,
                node,
                gpus,
                layout,
            } => write!(
                f,
                "{node}: rollout of {layout} on GPUs {gpus:?} started for {policy}"
            ),
            MigEvent::Refused {
                policy,
                node,
                gpus,
                reason,
            } => write!(
                f,
                "{node}: layout for GPUs {gpus:?} from {policy} refused: {reason}"
            ),
            MigEvent::Stepped { phase, note, .. } => write!(f, "[{phase}] {note}"),
            MigEvent::Finished {
                node,
                outcome: Ok(()),
            } => write!(f, "{node}: rollout finished, layout applied"),
            MigEvent::Finished {
                node,
                outcome: Err(why),
            } => write!(f, "{node}: rollout finished without the layout: {why}"),
            MigEvent::PersistFailed { node, error } => {
                write!(
                    f,
                    "{node}: saving the rollout failed, stopping this cycle: {error}"
                )
            }
        }
    }
}

/// The rollouts in progress, by node.
#[derive(Debug, Clone, PartialEq)]
pub struct MigRollouts {
    settings: RolloutSettings,
    active: BTreeMap<String, Rollout>,
}

impl MigRollouts {
    /// No rollout in progress.
    pub fn new(settings: RolloutSettings) -> Self {
        MigRollouts {
            settings,
            active: BTreeMap::new(),
        }
    }

    /// The rollouts `saved` held, each to resume where it stopped.
    pub fn restore(settings: RolloutSettings, saved: SavedRollouts) -> Self {
        let active = saved
            .rollouts
            .into_iter()
            .map(|r| (r.request.node.clone(), r))
            .collect();
        MigRollouts { settings, active }
    }

    /// How its rollouts wait and when GPUs count as idle.
    pub fn settings(&self) -> RolloutSettings {
        self.settings
    }

    /// Everything to store so [`MigRollouts::restore`] can resume.
    pub fn saved(&self) -> SavedRollouts {
        SavedRollouts {
            rollouts: self.active.values().cloned().collect(),
        }
    }

    /// The rollouts in progress, by node name.
    pub fn in_progress(&self) -> impl Iterator<Item = &Rollout> {
        self.active.values()
    }

    /// One cycle: start rollouts for `planned`'s MIG layouts, then drive each
    /// rollout as far as it goes this cycle, persisting after every step.
    pub async fn cycle<D, E, P>(
        &mut self,
        snapshot: &Snapshot,
        planned: &[PlannedChange],
        now_ms: u64,
        drain: &mut D,
        executor: &E,
        mut persist: impl AsyncFnMut(SavedRollouts) -> Result<(), P>,
    ) -> Vec<MigEvent>
    where
        D: Drain,
        E: Executor,
        P: fmt::Display,
    {
        let mut events = self.start(snapshot, planned);
        let nodes: Vec<String> = self.active.keys().cloned().collect();
        for node in nodes {
            let Some(mut rollout) = self.active.remove(&node) else {
                continue;
            };
            let tick = Tick {
                now_ms,
                gpus_idle: gpus_idle(snapshot, &rollout.request, self.settings.idle_threshold),
            };
            let others = &self.active;
            let driven = rollout
                .drive(tick, drain, executor, async |r: Rollout| {
                    persist(with(others, &r)).await
                })
                .await;
            let reports = match driven {
                Ok(reports) => reports,
                Err(error) => {
                    self.active.insert(node.clone(), rollout);
                    events.push(MigEvent::PersistFailed {
                        node,
                        error: error.to_string(),
                    });
                    return events;
                }
            };
            let mut finished = None;
            for report in reports {
                if let Progress::Done(outcome) = &report.progress {
                    finished = Some(outcome.clone());
                }
                events.push(MigEvent::Stepped {
                    node: node.clone(),
                    phase: report.from,
                    note: report.note,
                });
            }
            match finished {
                Some(outcome) => {
                    events.push(MigEvent::Finished {
                        node: node.clone(),
                        outcome,
                    });
                    if let Err(error) = persist(self.saved()).await {
                        events.push(MigEvent::PersistFailed {
                            node,
                            error: error.to_string(),
                        });
                        return events;
                    }
                }
                None => {
                    self.active.insert(node, rollout);
                }
            }
        }
        events
    }

    /// Start a rollout for each planned MIG layout that may start now.
    fn start(&mut self, snapshot: &Snapshot, planned: &[PlannedChange]) -> Vec<MigEvent> {
        let mut events = Vec::new();
        for change in planned {
            let Change::MigLayout {
                node,
                gpus,
                profiles,
            } = &change.change
            else {
                continue;
            };
            let refuse = |reason: StartRefused| MigEvent::Refused {
                policy: change.policy.clone(),
                node: node.clone(),
                gpus: gpus.clone(),
                reason,
            };
            if let Some(running) = self.active.get(node) {
                events.push(refuse(StartRefused::MidRollout {
                    node: node.clone(),
                    phase: running.phase_name(),
                    layout: running.request.describe(),
                    gpus: running.request.gpus.clone(),
                }));
                continue;
            }
            match request(snapshot, node, gpus, profiles) {
                Ok(request) => {
                    events.push(MigEvent::Started {
                        policy: change.policy.clone(),
                        node: node.clone(),
                        gpus: request.gpus.clone(),
                        layout: request.describe(),
                    });
                    let rollout = Rollout::new(request, self.settings.rollout);
                    self.active.insert(node.clone(), rollout);
                }
                Err(reason) => events.push(refuse(reason)),
            }
        }
        events
    }
}

/// The saved value with `current` in its place among `others`.
fn with(others: &BTreeMap<String, Rollout>, current: &Rollout) -> SavedRollouts {
    let mut rollouts: Vec<Rollout> = others.values().cloned().collect();
    rollouts.push(current.clone());
    rollouts.sort_by(|a, b| a.request.node.cmp(&b.request.node));
    SavedRollouts { rollouts }
}

/// The request for a planned layout, with the GPUs' model from `snapshot`,
/// checked against the model's geometry.
fn request(
    snapshot: &Snapshot,
    node: &str,
    gpus: &[u32],
    profiles: &[(String, u32)],
) -> Result<MigRequest, StartRefused> {
    let row = snapshot
        .node_by_name(node)
        .ok_or_else(|| StartRefused::NoNode {
            node: node.to_owned(),
        })?;
    let mut indices = gpus.to_vec();
    indices.sort_unstable();
    indices.dedup();
    let mut model: Option<&str> = None;
    for &index in &indices {
        let gpu = gpu_row(snapshot, row, index).ok_or_else(|| StartRefused::NoGpu {
            node: node.to_owned(),
            index,
        })?;
        let this = snapshot.string(snapshot.gpus.model[gpu]);
        match model {
            Some(first) if first != this => {
                return Err(StartRefused::MixedModels {
                    node: node.to_owned(),
                    gpus: indices.clone(),
                    first: first.to_owned(),
                    other: this.to_owned(),
                });
            }
            _ => model = Some(this),
        }
    }
    let mut counts = BTreeMap::new();
    for (profile, count) in profiles {
        *counts.entry(profile.clone()).or_insert(0) += count;
    }
    let request = MigRequest {
        node: node.to_owned(),
        gpus: indices,
        model: model.unwrap_or_default().to_owned(),
        profiles: counts,
    };
    request.placement()?;
    Ok(request)
}

/// Row of GPU `index` of node row `node`.
fn gpu_row(snapshot: &Snapshot, node: u32, index: u32) -> Option<usize> {
    snapshot
        .node_gpus(node)
        .find(|&row| snapshot.gpus.index[row] == index)
}

/// Whether every GPU of `request` is idle in `snapshot`: the node is there
/// and fresh, and each GPU's activity and every one of its MIG instances' is
/// reported and at most `threshold` (under MIG, a GPU that reports no
/// activity of its own is judged by its instances).
pub fn gpus_idle(snapshot: &Snapshot, request: &MigRequest, threshold: f32) -> bool {
    let Some(node) = snapshot.node_by_name(&request.node) else {
        return false;
    };
    if snapshot.nodes.stale[node as usize] != 0 {
        return false;
    }
    let idle = |activity: f32| activity.is_finite() && activity <= threshold;
    request.gpus.iter().all(|&index| {
        let Some(gpu) = gpu_row(snapshot, node, index) else {
            return false;
        };
        let instances = snapshot.gpu_mig_instances(gpu as u32);
        let by_instances = snapshot.gpus.mig_enabled[gpu] != 0 && !instances.is_empty();
        let whole = snapshot.gpus.utilization[gpu];
        (idle(whole) || (whole.is_nan() && by_instances))
            && instances
                .into_iter()
                .all(|i| idle(snapshot.mig_instances.utilization[i]))
    })
}
