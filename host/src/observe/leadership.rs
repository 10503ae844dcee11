//! The events of a replica's leadership: its role changing, taking the
//! lead, confirming it before each apply, and a cycle not applied because
//! it could not. They set `fulcrum_leader` and count takeovers and the
//! fence's cost.

use std::time::Duration;

use super::{Event, Metrics};
use crate::ha::{HaError, Role};

/// A replica's role changed: it leads, stands by, or cannot reach etcd.
pub struct RoleChanged<'a> {
    pub replica: &'a str,
    pub role: &'a Role,
}

impl Event for RoleChanged<'_> {
    fn emit(self, metrics: &Metrics) {
        let replica = self.replica;
        match self.role {
            Role::Leader => tracing::info!(%replica, "leading"),
            Role::Standby { leader } => tracing::info!(%replica, %leader, "standing by"),
            Role::Unavailable { why } => {
                tracing::warn!(%replica, %why, "applying nothing: leadership cannot be had")
            }
        }
        metrics.leader(*self.role == Role::Leader);
    }
}

/// A replica took the lead of `term` and read the shared state.
pub struct LeadTaken<'a> {
    pub replica: &'a str,
    pub term: i64,
    /// A term it did not lead before (a takeover), rather than its own term
    /// again after its lead was in doubt.
    pub new_term: bool,
}

impl Event for LeadTaken<'_> {
    fn emit(self, metrics: &Metrics) {
        tracing::info!(replica = %self.replica, term = self.term, takeover = self.new_term, "took the lead");
        if self.new_term {
            metrics.takeover();
        }
    }
}

/// The leader confirmed it still leads, before applying.
pub struct LeadConfirmed {
    pub took: Duration,
}

impl Event for LeadConfirmed {
    fn emit(self, metrics: &Metrics) {
        metrics.lead_confirmed(self.took);
    }
}

/// A cycle applied nothing: its leader could not confirm it still leads.
pub struct ApplyRefused<'a> {
    pub cycle: u64,
    pub why: &'a HaError,
}

impl Event for ApplyRefused<'_> {
    fn emit(self, metrics: &Metrics) {
        tracing::warn!(cycle = self.cycle, why = %self.why, "not applying: the lead is not confirmed");
        metrics.leader(false);
    }
}
