//! The guard: every action a policy proposes passes here before it is
//! planned. It owns the operator's [`Grants`] per policy, the host's
//! [`GuardRails`], conflict resolution by priority, and the stabilization and
//! cool-down [`GuardClocks`].
//!
//! One pass per cycle, [`check`], is pure and deterministic: the snapshot,
//! every policy's decisions, the clocks of the previous pass and the time
//! come in; accepted actions (some clamped, every clamp explained), rejections
//! and the next clocks come out. In order:
//!
//! 1. each action's target is named ([`Target`]) and checked against the
//!    policy's grants (rule `not-granted`); a member state change on a member
//!    the host holds mid MIG rollout is refused ([`Held`], rule `held`);
//! 2. conflicts on one target go to the higher priority, ties to the policy
//!    listed first ([`resolve_conflicts`], rule `superseded`);
//! 3. one size recommendation per instance group is recorded in the clocks;
//! 4. the survivors, highest priority first, meet the rails: serving members
//!    per pool (`min-enabled-members`, counted across every action of the
//!    pass), group bounds (`group-bounds`, rejected, never clamped: the WIT
//!    contract promises so), cool-downs (`cool-down`), the scale-in
//!    stabilization window (`stabilization`), per-cycle steps (`step-limit`),
//!    and MIG geometry through a pluggable [`MigGeometry`] (`mig-geometry`).
//!
//! ```
//! use fulcrum_host::guard::{self, GuardClocks, GuardContext, GuardRails, Grants, Held, PolicyProposal};
//! use fulcrum_host::model::{ProfileCount, Snapshot};
//!
//! let snapshot = Snapshot::empty();
//! let grants = Grants::default();
//! let rails = GuardRails::default();
//! let geometry = |_: &Snapshot, _: u32, _: &[u32], _: &[ProfileCount]| Ok(());
//! let outcome = guard::check(
//!     &snapshot,
//!     &[PolicyProposal { policy: "gpu-weighting", priority: 0, grants: &grants, decisions: &[] }],
//!     &GuardClocks::default(),
//!     &GuardContext { rails: &rails, geometry: &geometry, held: &Held::new(), now_ms: 0 },
//! );
//! assert!(outcome.accepted.is_empty() && outcome.rejected.is_empty());
//! ```

mod check;
mod geometry;
mod grants;
mod held;
mod outcome;
mod priority;
mod rails;
mod stabilization;
mod target;
#[cfg(test)]
mod tests;

pub use check::{GuardContext, PolicyProposal, check, check_alone};
pub use geometry::{GeometryError, MigGeometry};
pub use grants::{EmptyName, Grant, Grants, NamePattern, TargetList};
pub use held::Held;
pub use outcome::{Accepted, Clamp, GuardOutcome, Rejection, Rule};
pub use priority::{Candidate, Resolved, resolve_conflicts};
pub use rails::{GuardRails, StepLimit};
pub use stabilization::GuardClocks;
pub use target::{Target, action_value};
