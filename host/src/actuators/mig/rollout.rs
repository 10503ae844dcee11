//! The rollout of one [`MigRequest`]: a state machine the host drives over
//! several cycles and persists after every step.
//!
//! ```text
//! Plan → Drain → WaitIdle → Apply → Confirm → Restore → Done
//!   │       │        │         │        │
//!   └───────┴────────┴─────────┴────────┴──→ Restore (with the failure) → Done
//! ```
//!
//! - **Plan** reads the node's pools and picks the enabled members on the node,
//!   refusing when that would leave a pool with no enabled member
//!   ([`plan_drain`]). Nothing has changed yet, so a refusal ends the rollout.
//! - **Drain** disables those members. **WaitIdle** waits until the host sees
//!   the GPUs idle ([`Tick::gpus_idle`]), up to `idle_timeout_ms`.
//! - **Apply** asks the [`Executor`]; **Confirm** polls its status up to
//!   `confirm_timeout_ms`.
//! - **Restore** enables the drained members again, retrying every cycle until
//!   it succeeds: service comes back whatever failed before. It enables only
//!   members still disabled, as the drain left them: one an operator forced
//!   offline meanwhile, or removed from its pool, is theirs and left as it is.
//!
//! Each step does at most one kind of side effect, and every side effect is
//! idempotent (disabling a disabled member, applying an applied layout), so a
//! host killed after a side effect and before persisting repeats the step on
//! resume and ends in the same place. Deadlines are absolute times, so waiting
//! survives a restart too.

mod failure;

use serde::{Deserialize, Serialize};

use super::drain::{Drain, DrainRefused, MemberId, PoolMembers, plan_drain};
use super::executor::{ApplyStatus, Executor};
use super::request::MigRequest;
use crate::error_chain::with_causes;
use crate::model::MemberState;
pub use failure::RolloutFailed;
use failure::StepError;

/// How long a rollout waits, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutConfig {
    /// Longest wait for the drained GPUs to go idle.
    pub idle_timeout_ms: u64,
    /// Longest wait for the executor to confirm the layout.
    pub confirm_timeout_ms: u64,
}

impl Default for RolloutConfig {
    /// Ten minutes to drain (the Cluster Autoscaler's graceful-termination
    /// bound), fifteen to reconfigure (a MIG manager restart with reboot).
    fn default() -> Self {
        RolloutConfig {
            idle_timeout_ms: 600_000,
            confirm_timeout_ms: 900_000,
        }
    }
}

/// Where a rollout stands; persisted between steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// Pick the members to drain.
    Plan,
    /// Disable `members`.
    Drain { members: Vec<MemberId> },
    /// Wait for the GPUs to go idle.
    WaitIdle {
        members: Vec<MemberId>,
        deadline_ms: u64,
    },
    /// Ask the executor for the layout.
    Apply { members: Vec<MemberId> },
    /// Wait for the executor to confirm.
    Confirm {
        members: Vec<MemberId>,
        deadline_ms: u64,
    },
    /// Enable `members` again; `failure` says what went wrong before, if
    /// anything, with its causes.
    Restore {
        members: Vec<MemberId>,
        failure: Option<String>,
    },
    /// Finished; `failure` is `None` when the layout was applied.
    Done { failure: Option<String> },
}

/// What the host observed this cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tick {
    /// Now, milliseconds since the Unix epoch.
    pub now_ms: u64,
    /// Whether every GPU of the request is idle (no activity above the
    /// host's threshold, on the whole GPU and every MIG instance).
    pub gpus_idle: bool,
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The phase before the step, by name.
    pub from: &'static str,
    /// What happened, for the log and the audit trail.
    pub note: String,
    /// What the host does next.
    pub progress: Progress,
}

/// What the host does after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Persist, then step again in this cycle.
    Continue,
    /// Persist, then step again next cycle.
    Wait,
    /// Finished: `Ok` when applied, or the failure (service is restored either way).
    Done(Result<(), RolloutFailed>),
}

/// One MIG rollout: the request, its timeouts and its phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rollout {
    /// The layout being rolled out.
    pub request: MigRequest,
    /// Its timeouts.
    pub config: RolloutConfig,
    /// Where it stands.
    pub phase: Phase,
}

/// Steps [`Rollout::drive`] takes at most in one cycle; the machine needs
/// fewer than this from any phase to its next wait.
const MAX_STEPS_PER_CYCLE: usize = 8;

impl Rollout {
    /// A rollout of `request` that has not started.
    pub fn new(request: MigRequest, config: RolloutConfig) -> Self {
        Rollout {
            request,
            config,
            phase: Phase::Plan,
        }
    }

    /// Whether the rollout has finished.
    pub fn is_done(&self) -> bool {
        matches!(self.phase, Phase::Done { .. })
    }

    /// Step until the rollout waits or finishes, calling `persist` after every
    /// step; a persist error stops driving and is returned.
    pub async fn drive<D: Drain, E: Executor, P>(
        &mut self,
        tick: Tick,
        drain: &mut D,
        executor: &E,
        mut persist: impl AsyncFnMut(Rollout) -> Result<(), P>,
    ) -> Result<Vec<StepReport>, P> {
        let mut reports = Vec::new();
        for _ in 0..MAX_STEPS_PER_CYCLE {
            let report = self.step(tick, drain, executor).await;
            persist(self.clone()).await?;
            let more = report.progress == Progress::Continue;
            reports.push(report);
            if !more {
                break;
            }
        }
        Ok(reports)
    }

    /// Take one step; the caller persists `self` afterwards.
    pub async fn step<D: Drain, E: Executor>(
        &mut self,
        tick: Tick,
        drain: &mut D,
        executor: &E,
    ) -> StepReport {
        let from = self.phase_name();
        let node = self.request.node.clone();
        let (next, note) = match std::mem::replace(&mut self.phase, Phase::Plan) {
            Phase::Plan => match self.plan(drain).await {
                Err(failure) => (
                    Phase::Done {
                        failure: Some(with_causes(&failure)),
                    },
                    "nothing drained".to_owned(),
                ),
                Ok(members) => {
                    let note = format!("{node}: will drain {}", list(&members));
                    (Phase::Drain { members }, note)
                }
            },
            Phase::Drain { members } => match self.drain(drain, &members).await {
                Ok(()) => {
                    let note = format!("{node}: disabled {}", list(&members));
                    let deadline_ms = tick.now_ms.saturating_add(self.config.idle_timeout_ms);
                    (
                        Phase::WaitIdle {
                            members,
                            deadline_ms,
                        },
                        note,
                    )
                }
                Err(failure) => restore(members, &failure),
            },
            Phase::WaitIdle {
                members,
                deadline_ms,
            } => {
                if tick.gpus_idle {
                    (
                        Phase::Apply { members },
                        format!("{node}: GPUs {:?} are idle", self.request.gpus),
                    )
                } else if tick.now_ms >= deadline_ms {
                    let failure = StepError::StillBusy {
                        node,
                        gpus: self.request.gpus.clone(),
                        seconds: self.config.idle_timeout_ms / 1000,
                    };
                    restore(members, &failure)
                } else {
                    (
                        Phase::WaitIdle {
                            members,
                            deadline_ms,
                        },
                        format!(
                            "{node}: waiting for GPUs {:?} to go idle",
                            self.request.gpus
                        ),
                    )
                }
            }
            Phase::Apply { members } => match executor.apply(&self.request).await {
                Ok(()) => (
                    Phase::Confirm {
                        members,
                        deadline_ms: tick.now_ms.saturating_add(self.config.confirm_timeout_ms),
                    },
                    format!(
                        "{node}: requested {} on GPUs {:?}",
                        self.request.describe(),
                        self.request.gpus
                    ),
                ),
                Err(error) => restore(
                    members,
                    &StepError::Apply {
                        node,
                        source: Box::new(error),
                    },
                ),
            },
            Phase::Confirm {
                members,
                deadline_ms,
            } => {
                let status = executor.status(&self.request).await;
                let timed_out = tick.now_ms >= deadline_ms;
                match status {
                    Ok(ApplyStatus::Success) => (
                        Phase::Restore {
                            members,
                            failure: None,
                        },
                        format!("{node}: {} confirmed", self.request.describe()),
                    ),
                    Ok(ApplyStatus::Failed(why)) => {
                        restore(members, &StepError::Reconfiguration { node, why })
                    }
                    Ok(ApplyStatus::Pending(_)) | Err(_) if timed_out => restore(
                        members,
                        &StepError::NotConfirmed {
                            node,
                            seconds: self.config.confirm_timeout_ms / 1000,
                        },
                    ),
                    Ok(ApplyStatus::Pending(state)) => (
                        Phase::Confirm {
                            members,
                            deadline_ms,
                        },
                        format!("{node}: reconfiguration {state}"),
                    ),
                    Err(error) => (
                        Phase::Confirm {
                            members,
                            deadline_ms,
                        },
                        format!(
                            "{node}: reading the reconfiguration status failed: {}",
                            with_causes(&error)
                        ),
                    ),
                }
            }
            Phase::Restore { members, failure } => match self.enable(drain, &members).await {
                Ok(Restored { enabled, left }) => {
                    let mut note = format!("{node}: enabled {}", list(&enabled));
                    if !left.is_empty() {
                        note.push_str(&format!(
                            "; left {} as an operator set them during the rollout",
                            list(&left)
                        ));
                    }
                    (Phase::Done { failure }, note)
                }
                Err(error) => {
                    let note = format!(
                        "{node}: restoring failed, retrying next cycle: {}",
                        with_causes(&error)
                    );
                    (Phase::Restore { members, failure }, note)
                }
            },
            Phase::Done { failure } => (Phase::Done { failure }, "finished".to_owned()),
        };
        self.phase = next;
        let progress = match &self.phase {
            Phase::Done { failure } => Progress::Done(
                failure
                    .clone()
                    .map_or(Ok(()), |reason| Err(RolloutFailed { reason })),
            ),
            Phase::WaitIdle { .. } | Phase::Confirm { .. } if from == self.phase_name() => {
                Progress::Wait
            }
            Phase::Restore { .. } if from == "restore" => Progress::Wait,
            _ => Progress::Continue,
        };
        StepReport {
            from,
            note,
            progress,
        }
    }

    /// The pools with a member on the node, as the load balancer has them now.
    async fn pools<D: Drain>(&self, drain: &mut D) -> Result<Vec<PoolMembers>, StepError> {
        let node = &self.request.node;
        drain.pools(node).await.map_err(|error| StepError::Pools {
            node: node.clone(),
            source: Box::new(error),
        })
    }

    /// The enabled members on the node, unless draining them would leave a
    /// pool with no enabled member.
    async fn plan<D: Drain>(&self, drain: &mut D) -> Result<Vec<MemberId>, StepError> {
        let pools = self.pools(drain).await?;
        Ok(plan_drain(&self.request.node, &pools)?)
    }

    /// Disable `members`, after checking again that no pool is left empty.
    async fn drain<D: Drain>(&self, drain: &mut D, members: &[MemberId]) -> Result<(), StepError> {
        let node = &self.request.node;
        let pools = self.pools(drain).await?;
        for pool in &pools {
            let others_enabled = pool.members.iter().any(|m| {
                m.enabled()
                    && !members
                        .iter()
                        .any(|d| d.pool == pool.pool && d.member == m.name)
            });
            let draining_here = members.iter().any(|d| d.pool == pool.pool);
            if draining_here && !others_enabled {
                return Err(DrainRefused {
                    node: node.clone(),
                    pool: pool.pool.clone(),
                    members: members
                        .iter()
                        .filter(|d| d.pool == pool.pool)
                        .map(|d| d.member.clone())
                        .collect(),
                }
                .into());
            }
        }
        for member in members {
            drain
                .set_enabled(member, false)
                .await
                .map_err(|error| StepError::Disable {
                    node: node.clone(),
                    member: member.clone(),
                    source: Box::new(error),
                })?;
        }
        Ok(())
    }

    /// Enable those of `members` still disabled, as the drain left them;
    /// stops at the first error. A member now forced offline, or gone from
    /// its pool, was taken over by an operator and is left alone.
    async fn enable<D: Drain>(
        &self,
        drain: &mut D,
        members: &[MemberId],
    ) -> Result<Restored, StepError> {
        let pools = self.pools(drain).await?;
        let state_of = |member: &MemberId| {
            pools
                .iter()
                .filter(|pool| pool.pool == member.pool)
                .flat_map(|pool| &pool.members)
                .find(|status| status.name == member.member)
                .map(|status| status.state)
        };
        let mut restored = Restored::default();
        for member in members {
            match state_of(member) {
                Some(MemberState::Disabled) => {
                    drain
                        .set_enabled(member, true)
                        .await
                        .map_err(|error| StepError::Enable {
                            member: member.clone(),
                            source: Box::new(error),
                        })?;
                    restored.enabled.push(member.clone());
                }
                Some(MemberState::Enabled) => restored.enabled.push(member.clone()),
                Some(MemberState::ForcedOffline) | None => restored.left.push(member.clone()),
            }
        }
        Ok(restored)
    }

    /// The members this rollout drains or has drained and not yet enabled
    /// again; none before it has picked them or once it is done.
    pub fn members(&self) -> &[MemberId] {
        match &self.phase {
            Phase::Drain { members }
            | Phase::WaitIdle { members, .. }
            | Phase::Apply { members }
            | Phase::Confirm { members, .. }
            | Phase::Restore { members, .. } => members,
            Phase::Plan | Phase::Done { .. } => &[],
        }
    }

    /// The phase's name, as persisted.
    pub fn phase_name(&self) -> &'static str {
        match self.phase {
            Phase::Plan => "plan",
            Phase::Drain { .. } => "drain",
            Phase::WaitIdle { .. } => "wait_idle",
            Phase::Apply { .. } => "apply",
            Phase::Confirm { .. } => "confirm",
            Phase::Restore { .. } => "restore",
            Phase::Done { .. } => "done",
        }
    }
}

/// What restoring did: the drained members enabled again, and those left as
/// an operator set them.
#[derive(Default)]
struct Restored {
    enabled: Vec<MemberId>,
    left: Vec<MemberId>,
}

/// Go to Restore with `failure`.
fn restore(members: Vec<MemberId>, failure: &StepError) -> (Phase, String) {
    let failure = with_causes(failure);
    let note = format!("{failure}; restoring service");
    (
        Phase::Restore {
            members,
            failure: Some(failure),
        },
        note,
    )
}

fn list(members: &[MemberId]) -> String {
    if members.is_empty() {
        return "no member".to_owned();
    }
    let names: Vec<String> = members.iter().map(MemberId::to_string).collect();
    names.join(", ")
}

#[cfg(test)]
mod tests;
