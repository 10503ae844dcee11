//! The settable fields of pools, virtual servers and HTTP monitors: which keys each kind
//! accepts, and how a body's values are checked and applied (load-balancing modes, monitor
//! rules naming existing monitors, destinations, pools and profiles).

use serde_json::{Value, json};

use super::fields::{str_field, u32_field, yes_no_field};
use super::model::{Monitor, Pool, Virtual};
use super::{Kind, SimError, Store};
use crate::path::{FullPath, split_member_name};

const LOAD_BALANCING_MODES: [&str; 19] = [
    "dynamic-ratio-member",
    "dynamic-ratio-node",
    "fastest-app-response",
    "fastest-node",
    "least-connections-member",
    "least-connections-node",
    "least-sessions",
    "observed-member",
    "observed-node",
    "predictive-member",
    "predictive-node",
    "ratio-least-connections-member",
    "ratio-least-connections-node",
    "ratio-member",
    "ratio-node",
    "ratio-session",
    "round-robin",
    "weighted-least-connections-member",
    "weighted-least-connections-node",
];

/// The keys a body for `kind` may carry besides the envelope.
pub(super) fn allowed_keys(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Node => &[
            "address",
            "connectionLimit",
            "dynamicRatio",
            "ephemeral",
            "fqdn",
            "logging",
            "monitor",
            "rateLimit",
            "ratio",
            "session",
            "state",
            "description",
        ],
        Kind::Pool => &[
            "allowNat",
            "allowSnat",
            "ignorePersistedWeight",
            "ipTosToClient",
            "ipTosToServer",
            "linkQosToClient",
            "linkQosToServer",
            "loadBalancingMode",
            "minActiveMembers",
            "minUpMembers",
            "minUpMembersAction",
            "minUpMembersChecking",
            "monitor",
            "queueDepthLimit",
            "queueOnConnectionLimit",
            "queueTimeLimit",
            "reselectTries",
            "serviceDownAction",
            "slowRampTime",
            "membersReference",
            "members",
            "description",
        ],
        Kind::Virtual => &[
            "destination",
            "pool",
            "poolReference",
            "ipProtocol",
            "mask",
            "source",
            "sourceAddressTranslation",
            "translateAddress",
            "translatePort",
            "profiles",
            "profilesReference",
            "policiesReference",
            "enabled",
            "disabled",
            "description",
            "vlansDisabled",
            "sourcePort",
            "connectionLimit",
        ],
        Kind::HttpMonitor => &[
            "defaultsFrom",
            "destination",
            "interval",
            "timeout",
            "send",
            "recv",
            "recvDisable",
            "reverse",
            "transparent",
            "manualResume",
            "timeUntilUp",
            "upInterval",
            "description",
        ],
    }
}

impl Store {
    pub(super) fn apply_pool_fields(&self, pool: &mut Pool, body: &Value) -> Result<(), SimError> {
        if let Some(mode) = str_field(body, "loadBalancingMode")? {
            if !LOAD_BALANCING_MODES.contains(&mode.as_str()) {
                return Err(SimError::invalid_value("loadBalancingMode", &json!(mode)));
            }
            pool.load_balancing_mode = mode;
        }
        if let Some(rule) = str_field(body, "monitor")? {
            pool.monitor = self.parse_monitor_rule(&rule)?;
        }
        if let Some(flag) = yes_no_field(body, "allowNat")? {
            pool.allow_nat = flag;
        }
        if let Some(flag) = yes_no_field(body, "allowSnat")? {
            pool.allow_snat = flag;
        }
        if let Some(ramp) = u32_field(body, "slowRampTime")? {
            pool.slow_ramp_time = ramp;
        }
        if let Some(min) = u32_field(body, "minActiveMembers")? {
            pool.min_active_members = min;
        }
        Ok(())
    }

    /// Accepts `/Common/http`, `http`, `/Common/http and /Common/tcp ` and `min N of {…}`; every
    /// named monitor must exist. Stores the rule without its trailing space.
    fn parse_monitor_rule(&self, rule: &str) -> Result<Option<String>, SimError> {
        let rule = rule.trim();
        if rule.is_empty() || rule == "none" {
            return Ok(None);
        }
        let names: Vec<FullPath> = rule
            .replace(['{', '}'], " ")
            .split_whitespace()
            .filter(|word| !matches!(*word, "and" | "min" | "of") && word.parse::<u32>().is_err())
            .map(FullPath::parse)
            .collect();
        for name in &names {
            if !self.monitors.contains_key(name) {
                return Err(SimError::bad_request(format!(
                    "01020036:3: The requested monitor ({name}) was not found."
                )));
            }
        }
        if rule.starts_with("min ") {
            return Ok(Some(rule.to_owned()));
        }
        Ok(Some(
            names
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" and "),
        ))
    }

    pub(super) fn apply_virtual_fields(
        &self,
        vs: &mut Virtual,
        body: &Value,
    ) -> Result<(), SimError> {
        if let Some(destination) = str_field(body, "destination")? {
            let destination = FullPath::parse(&destination);
            if split_member_name(destination.name()).is_none() {
                return Err(SimError::invalid_value(
                    "destination",
                    &json!(destination.as_str()),
                ));
            }
            vs.destination = destination.to_string();
        }
        if let Some(pool) = str_field(body, "pool")? {
            let pool = FullPath::parse(&pool);
            if !self.pools.contains_key(&pool) {
                return Err(SimError::not_found("Pool", pool.as_str()));
            }
            vs.pool = Some(pool);
        }
        if let Some(protocol) = str_field(body, "ipProtocol")? {
            vs.ip_protocol = protocol;
        }
        if let Some(translation) = body
            .get("sourceAddressTranslation")
            .and_then(|t| t.get("type"))
            .and_then(Value::as_str)
        {
            vs.translation = translation.to_owned();
        }
        if let Some(profiles) = body.get("profiles") {
            let profiles = profiles
                .as_array()
                .ok_or_else(|| SimError::invalid_value("profiles", profiles))?;
            vs.profiles = profiles
                .iter()
                .map(|p| {
                    let name = p.as_str().or_else(|| p.get("name").and_then(Value::as_str));
                    let name = name.ok_or_else(|| SimError::invalid_value("profiles", p))?;
                    let context = p
                        .get("context")
                        .and_then(Value::as_str)
                        .unwrap_or("all")
                        .to_owned();
                    Ok((FullPath::parse(name), context))
                })
                .collect::<Result<_, SimError>>()?;
        }
        Ok(())
    }
}

pub(super) fn apply_monitor_fields(monitor: &mut Monitor, body: &Value) -> Result<(), SimError> {
    if let Some(parent) = str_field(body, "defaultsFrom")? {
        monitor.defaults_from = FullPath::parse(&parent).to_string();
    }
    if let Some(send) = str_field(body, "send")? {
        monitor.send = send;
    }
    if let Some(recv) = str_field(body, "recv")? {
        monitor.recv = recv;
    }
    if let Some(interval) = u32_field(body, "interval")? {
        monitor.interval = interval;
    }
    if let Some(timeout) = u32_field(body, "timeout")? {
        monitor.timeout = timeout;
    }
    Ok(())
}
