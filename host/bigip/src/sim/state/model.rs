//! The configuration objects the simulated box keeps — nodes, pool members, pools, virtual
//! servers and HTTP monitors — and how a member's admin state, its pool's monitor and its
//! health combine into what it reads back as ([`MemberHealth`]).

use std::collections::BTreeMap;

use crate::path::FullPath;

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub address: String,
    pub connection_limit: u32,
    pub ratio: u32,
    pub enabled: bool,
    pub forced_down: bool,
    pub generation: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Member {
    pub address: String,
    pub ratio: u32,
    pub dynamic_ratio: u32,
    pub priority_group: u32,
    pub connection_limit: u32,
    pub enabled: bool,
    pub forced_down: bool,
    pub healthy: bool,
    pub current_connections: u64,
    pub generation: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Pool {
    pub load_balancing_mode: String,
    /// Normalised monitor rule without the trailing space, e.g. `/Common/http`.
    pub monitor: Option<String>,
    pub allow_nat: bool,
    pub allow_snat: bool,
    pub slow_ramp_time: u32,
    pub min_active_members: u32,
    pub members: BTreeMap<FullPath, Member>,
    pub generation: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Virtual {
    pub destination: String,
    pub pool: Option<FullPath>,
    pub ip_protocol: String,
    pub translation: String,
    pub profiles: Vec<(FullPath, String)>,
    pub generation: u64,
}

#[derive(Clone, Debug)]
pub(super) struct Monitor {
    pub defaults_from: String,
    pub send: String,
    pub recv: String,
    pub interval: u32,
    pub timeout: u32,
    pub generation: u64,
}

/// How a member reads back, derived from its admin state, its pool's monitor and its health.
pub(super) struct MemberHealth {
    pub session: &'static str,
    pub state: &'static str,
    pub availability: &'static str,
    pub monitor_status: &'static str,
    pub reason: &'static str,
}

impl MemberHealth {
    pub fn of(pool: &Pool, member: &Member) -> MemberHealth {
        let monitored = pool.monitor.is_some();
        let session = match (member.enabled, monitored) {
            (false, _) => "user-disabled",
            (true, true) => "monitor-enabled",
            (true, false) => "user-enabled",
        };
        let (state, availability, monitor_status, reason) =
            match (member.forced_down, monitored, member.healthy) {
                (true, _, _) => ("user-down", "offline", "user-down", "Forced down"),
                (false, true, true) => ("up", "available", "up", "Pool member is available"),
                (false, true, false) => (
                    "down",
                    "offline",
                    "down",
                    "Pool member has been marked down by a monitor",
                ),
                (false, false, _) => (
                    "unchecked",
                    "unknown",
                    "unchecked",
                    "Pool member does not have service checking enabled",
                ),
            };
        MemberHealth {
            session,
            state,
            availability,
            monitor_status,
            reason,
        }
    }
}
