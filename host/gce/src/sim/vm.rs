//! One simulated VM and where it is in its life: PROVISIONING → STAGING →
//! RUNNING (VERIFYING, then settled) over the boot delay, DELETING for half a
//! boot delay before it is gone, or stuck failing to create while a stockout or
//! quota fault holds. A recreated VM walks the boot again under the same name,
//! reporting RECREATING until it runs. Also how a VM renders as a
//! `compute#instance` and how Compute names a group's VMs.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rand::RngExt;
use serde_json::{Value, json};

use super::state::{SELF_LINK_BASE, new_id, now_timestamp};
use crate::wire::ErrorItem;

/// Where an instance is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Failing,
    Provisioning,
    Staging,
    Verifying,
    Running,
    Deleting,
    Gone,
}

/// One VM of a simulated group, or one a group abandoned.
#[derive(Debug, Clone)]
pub struct SimInstance {
    pub name: String,
    pub id: String,
    pub ip: String,
    pub created: String,
    pub boot_started: Instant,
    pub deleting_since: Option<Instant>,
    pub failure: Option<ErrorItem>,
    /// The template the VM was created from.
    pub template: Option<String>,
    /// Set by recreateInstances: the boot under way replaces an earlier VM.
    pub recreating: bool,
}

impl SimInstance {
    /// A VM starting to boot now.
    pub fn new(
        name: String,
        ip: String,
        template: Option<String>,
        failure: Option<ErrorItem>,
    ) -> Self {
        Self {
            name,
            id: new_id(),
            ip,
            created: now_timestamp(),
            boot_started: Instant::now(),
            deleting_since: None,
            failure,
            template,
            recreating: false,
        }
    }

    /// Where the VM is at `now`, given the boot delay.
    pub fn phase(&self, now: Instant, boot: Duration) -> Phase {
        if let Some(since) = self.deleting_since {
            return if now.saturating_duration_since(since) >= boot / 2 {
                Phase::Gone
            } else {
                Phase::Deleting
            };
        }
        if self.failure.is_some() {
            return Phase::Failing;
        }
        let elapsed = now.saturating_duration_since(self.boot_started);
        if elapsed >= boot {
            Phase::Running
        } else if elapsed >= boot * 2 / 3 {
            Phase::Verifying
        } else if elapsed >= boot / 3 {
            Phase::Staging
        } else {
            Phase::Provisioning
        }
    }

    /// Whether the VM is RUNNING and past the health check's initial delay.
    pub fn is_healthy(&self, now: Instant, boot: Duration) -> bool {
        self.phase(now, boot) == Phase::Running
    }

    /// Whether the VM exists and is not being deleted.
    pub fn is_serving_candidate(&self, now: Instant, boot: Duration) -> bool {
        matches!(
            self.phase(now, boot),
            Phase::Provisioning | Phase::Staging | Phase::Verifying | Phase::Running
        )
    }

    /// Whether the VM is neither being deleted nor gone.
    pub fn is_live(&self) -> bool {
        self.deleting_since.is_none()
    }

    /// Deletes and creates the VM again under the same name, from `template`.
    pub fn recreate(&mut self, template: Option<String>, failure: Option<ErrorItem>) {
        self.id = new_id();
        self.created = now_timestamp();
        self.boot_started = Instant::now();
        self.failure = failure;
        self.template = template;
        self.recreating = true;
    }

    /// The VM as `instances.get` shows it, in the zone at `zone_path`
    /// (`projects/p/zones/z`); `None` while it does not exist as a VM.
    pub fn render(&self, zone_path: &str, now: Instant, boot: Duration) -> Option<Value> {
        let status = match self.phase(now, boot) {
            Phase::Failing | Phase::Gone => return None,
            Phase::Provisioning => "PROVISIONING",
            Phase::Staging => "STAGING",
            Phase::Verifying | Phase::Running => "RUNNING",
            Phase::Deleting => "STOPPING",
        };
        let mut instance = json!({
            "kind": "compute#instance",
            "id": self.id,
            "name": self.name,
            "creationTimestamp": self.created,
            "zone": format!("{SELF_LINK_BASE}{zone_path}"),
            "status": status,
            "networkInterfaces": [{"kind": "compute#networkInterface", "name": "nic0", "networkIP": self.ip}],
            "selfLink": format!("{SELF_LINK_BASE}{zone_path}/instances/{}", self.name),
        });
        if let Some(template) = &self.template {
            instance["metadata"] = json!({"kind": "compute#metadata",
                "items": [{"key": "instance-template", "value": crate::links::resource_path(template)}]});
        }
        Some(instance)
    }
}

/// `<base>-<4 random characters>`, as Compute names a group's VMs, unlike
/// every name in `taken` (which it joins).
pub fn new_instance_name(base: &str, taken: &mut HashSet<String>) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    loop {
        let suffix: String = (0..4)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        let name = format!("{base}-{suffix}");
        if taken.insert(name.clone()) {
            return name;
        }
    }
}
