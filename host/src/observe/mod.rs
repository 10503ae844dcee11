//! What the host tells operators while it runs: the control loop's events
//! ([`events`]), each logged and counted in Prometheus metrics ([`Metrics`]);
//! the loopback HTTP endpoint that serves them with a health check
//! ([`serve`]); a replica's leadership (`leadership`); text logs ([`log_format`]) and text for terminals
//! ([`SafeText`]) with every outside string neutralised.

mod events;
mod leadership;
pub mod log_format;
mod metrics;
mod safe_text;
mod server;

pub use events::{
    ActionHeldBack, ActionRejected, AuditNotRecorded, BackendRead, ChangeApplied, CycleFinished,
    EvaluationFailed, Event, IntentNotRecorded, InterruptedCycleClosed, MigStep, Observer,
    PolicyEvaluated, PolicyQuarantined, PolicyReloaded, ReloadFailed, ShadowCompared, SourceFailed,
    TextDropped,
};
pub use leadership::{ApplyRefused, LeadConfirmed, LeadTaken, RoleChanged};
pub use metrics::{ActionOutcome, GuardEffect, Metrics};
pub use safe_text::{SafeText, neutralize};
pub use server::{Health, serve};
