//! The output-only fields and defaults Compute fills in when an object of a
//! plain collection is inserted, and the validation it does per collection.

use serde_json::{Map, Value, json};

use super::error::SimError;
use super::state::{SELF_LINK_BASE, SimState, new_fingerprint};

impl SimState {
    /// Defaults and validation per collection.
    pub(super) fn fill_defaults(
        &mut self,
        collection: &str,
        object: &mut Map<String, Value>,
    ) -> Result<(), SimError> {
        let kind = collection.rsplit('/').next().unwrap_or_default();
        match kind {
            "backendServices" => {
                super::backend_services::validate_backends(object)?;
                object.insert("fingerprint".to_owned(), json!(new_fingerprint()));
                object.entry("timeoutSec").or_insert(json!(30));
                object.entry("protocol").or_insert(json!("HTTP"));
                object
                    .entry("loadBalancingScheme")
                    .or_insert(json!("EXTERNAL"));
                object
                    .entry("connectionDraining")
                    .or_insert(json!({"drainingTimeoutSec": 300}));
            }
            "urlMaps" | "targetHttpProxies" => {
                object.insert("fingerprint".to_owned(), json!(new_fingerprint()));
            }
            "forwardingRules" => {
                if !object.contains_key("IPAddress") {
                    let ip = self.next_frontend_ip();
                    object.insert("IPAddress".to_owned(), json!(ip));
                }
                object.entry("IPProtocol").or_insert(json!("TCP"));
                object
                    .entry("loadBalancingScheme")
                    .or_insert(json!("EXTERNAL"));
                if let Some(Value::String(range)) = object.get_mut("portRange")
                    && !range.contains('-')
                {
                    *range = format!("{range}-{range}");
                }
                object.insert("fingerprint".to_owned(), json!(new_fingerprint()));
            }
            "autoscalers" => {
                if !object.contains_key("target") {
                    return Err(SimError::required("resource.target"));
                }
                object.insert("status".to_owned(), json!("ACTIVE"));
                let scope = collection.trim_end_matches("/autoscalers");
                let location_key = if scope.contains("/regions/") {
                    "region"
                } else {
                    "zone"
                };
                object.insert(
                    location_key.to_owned(),
                    json!(format!("{SELF_LINK_BASE}{scope}")),
                );
            }
            "healthChecks" => {
                object.entry("checkIntervalSec").or_insert(json!(5));
                object.entry("timeoutSec").or_insert(json!(5));
                object.entry("healthyThreshold").or_insert(json!(2));
                object.entry("unhealthyThreshold").or_insert(json!(2));
                if !object.contains_key("type") {
                    let kind = if object.contains_key("httpsHealthCheck") {
                        "HTTPS"
                    } else {
                        "HTTP"
                    };
                    object.insert("type".to_owned(), json!(kind));
                }
            }
            _ => {}
        }
        Ok(())
    }
}
