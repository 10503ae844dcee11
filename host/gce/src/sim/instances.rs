//! The zonal `instances` collection (get and list): every VM a managed group
//! has created and not yet finished deleting, and the VMs groups abandoned,
//! which live on outside any group. A member still failing to create has no
//! VM yet and is not listed.

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::{Value, json};

use super::error::SimError;
use super::state::{SELF_LINK_BASE, SimState};
use super::vm::SimInstance;

/// VMs abandoned by their groups: zone path (`projects/p/zones/z`) → name → VM.
pub type Abandoned = BTreeMap<String, BTreeMap<String, SimInstance>>;

impl SimState {
    /// Keeps a VM a group abandoned in its zone.
    pub fn adopt_abandoned(&mut self, zone_path: &str, vm: SimInstance) {
        self.abandoned
            .entry(zone_path.to_owned())
            .or_default()
            .insert(vm.name.clone(), vm);
    }

    /// Names of the VMs abandoned in the zone, which new group members must
    /// not reuse.
    pub fn abandoned_names(&self, zone_path: &str) -> Vec<String> {
        self.abandoned
            .get(zone_path)
            .map(|vms| vms.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Every VM in the zone, rendered, in name order.
    fn zone_instances(&self, zone_path: &str) -> Vec<Value> {
        let now = Instant::now();
        let boot = self.timing.boot_delay;
        let members = self
            .groups
            .values()
            .filter(|group| group.instance_zone_path() == zone_path)
            .flat_map(|group| group.instances.iter());
        let abandoned = self
            .abandoned
            .get(zone_path)
            .into_iter()
            .flat_map(BTreeMap::values);
        let mut vms: Vec<(String, Value)> = members
            .chain(abandoned)
            .filter_map(|vm| Some((vm.name.clone(), vm.render(zone_path, now, boot)?)))
            .collect();
        vms.sort_by(|a, b| a.0.cmp(&b.0));
        vms.into_iter().map(|(_, vm)| vm).collect()
    }

    /// instances.list for the zone at `zone_path`.
    pub fn list_instances(&self, zone_path: &str) -> Value {
        let collection = format!("{zone_path}/instances");
        json!({
            "kind": "compute#instanceList",
            "id": collection,
            "items": self.zone_instances(zone_path),
            "selfLink": format!("{SELF_LINK_BASE}{collection}"),
        })
    }

    /// instances.get.
    pub fn get_instance(&self, zone_path: &str, name: &str) -> Result<Value, SimError> {
        self.zone_instances(zone_path)
            .into_iter()
            .find(|vm| vm["name"] == name)
            .ok_or_else(|| SimError::not_found(&format!("{zone_path}/instances/{name}")))
    }
}
