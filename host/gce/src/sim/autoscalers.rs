//! Simulated autoscalers, enough to mark the groups they target: a targeted
//! group reports `status.autoscaler`, and a hand resize of an autoscaled
//! regional group is refused with 412 `conditionNotMet`, as Google does.
//! PATCH and PUT name the autoscaler in the `autoscaler` query parameter.

use serde_json::{Value, json};

use super::error::SimError;
use super::state::{SELF_LINK_BASE, SimState};

impl SimState {
    /// The self link of the autoscaler targeting the group at `group_key`.
    pub fn autoscaler_of(&self, scope_path: &str, group_key: &str) -> Option<String> {
        let collection = format!("{scope_path}/autoscalers");
        let group_link = format!("{SELF_LINK_BASE}{group_key}");
        self.list(&collection)["items"]
            .as_array()?
            .iter()
            .find(|autoscaler| {
                autoscaler["target"]
                    .as_str()
                    .is_some_and(|target| crate::links::same_resource(target, &group_link))
            })
            .and_then(|autoscaler| autoscaler["selfLink"].as_str().map(str::to_owned))
    }

    /// Refuses a hand resize of an autoscaled regional group.
    pub fn check_resizable(&self, scope_path: &str, group_key: &str) -> Result<(), SimError> {
        if scope_path.contains("/regions/") && self.autoscaler_of(scope_path, group_key).is_some() {
            return Err(SimError::new(
                412,
                "global",
                "conditionNotMet",
                "Resizing of autoscaled regional managed instance groups is not allowed. If you want to manually adjust target size remove the autoscaler or set autoscaling policy mode to OFF.",
            ));
        }
        Ok(())
    }

    /// autoscalers.patch (merge) or autoscalers.update (replace) of `name`.
    pub fn write_autoscaler(
        &mut self,
        collection: &str,
        name: &str,
        body: Value,
        replace: bool,
    ) -> Result<String, SimError> {
        let current = self.get(collection, name)?.clone();
        let Value::Object(body) = body else {
            return Err(SimError::invalid(
                "Invalid value for field 'resource': expected an object",
            ));
        };
        let mut updated = if replace { json!({}) } else { current.clone() };
        for (key, value) in body {
            updated[key] = value;
        }
        for owned in [
            "kind",
            "id",
            "selfLink",
            "creationTimestamp",
            "name",
            "zone",
            "region",
            "status",
        ] {
            if let Some(value) = current.get(owned) {
                updated[owned] = value.clone();
            }
        }
        let id = updated["id"].as_str().unwrap_or_default().to_owned();
        self.put(collection, name, updated);
        Ok(id)
    }
}
