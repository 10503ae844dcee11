//! The topology the simulator starts with: the seed Pulumi program's chain —
//! instance template, managed group of 3, HTTP health check, backend service,
//! URL map, target HTTP proxy and a global forwarding rule on loopback.

use serde_json::json;

use super::state::{SELF_LINK_BASE, SimState};

/// The seeded instance template.
pub const TEMPLATE: &str = "tf-instance-template";
/// The seeded zonal managed instance group, of 3 VMs.
pub const GROUP: &str = "tf-instance-group-manager";
/// The seeded HTTP health check.
pub const HEALTH_CHECK: &str = "tf-health-check";
/// The seeded global backend service, with the group as its backend.
pub const BACKEND_SERVICE: &str = "tf-backend-service";
/// The seeded URL map, to the backend service.
pub const URL_MAP: &str = "tf-url-map";
/// The seeded target HTTP proxy, by the URL map.
pub const TARGET_HTTP_PROXY: &str = "tf-target-http-proxy";
/// The seeded global forwarding rule, to the proxy.
pub const FORWARDING_RULE: &str = "tf-global-forwarding-rule";

/// Builds the seed chain in `project`, the group in `zone`, all RUNNING.
pub fn seed_topology(state: &mut SimState, project: &str, zone: &str) {
    let global = format!("projects/{project}/global");
    let link = |path: String| format!("{SELF_LINK_BASE}{path}");
    let steps = [
        (
            format!("{global}/instanceTemplates"),
            json!({"name": TEMPLATE, "properties": {
                "machineType": "n1-standard-4",
                "disks": [{"boot": true, "autoDelete": true, "type": "PERSISTENT", "mode": "READ_WRITE",
                           "initializeParams": {"sourceImage": "projects/deeplearning-platform-release/global/images/family/tf-latest-cpu"}}],
                "networkInterfaces": [{"network": link(format!("{global}/networks/default"))}]}}),
        ),
        (
            format!("{global}/healthChecks"),
            json!({"name": HEALTH_CHECK, "type": "HTTP", "httpHealthCheck": {"port": 80, "requestPath": "/", "proxyHeader": "NONE"}}),
        ),
    ];
    let mut inserted = Vec::new();
    for (collection, body) in steps {
        inserted.push(state.insert(&collection, body));
    }
    let group_scope = format!("projects/{project}/zones/{zone}");
    let group = state.insert_group(
        &group_scope,
        json!({"name": GROUP, "baseInstanceName": "tf-instance",
               "instanceTemplate": link(format!("{global}/instanceTemplates/{TEMPLATE}")),
               "targetSize": 3, "namedPorts": [{"name": "http", "port": 80}]}),
        true,
    );
    let rest = [
        (
            format!("{global}/backendServices"),
            json!({"name": BACKEND_SERVICE, "portName": "http", "protocol": "HTTP", "loadBalancingScheme": "EXTERNAL",
                   "healthChecks": [link(format!("{global}/healthChecks/{HEALTH_CHECK}"))],
                   "backends": [{"group": link(format!("{group_scope}/instanceGroups/{GROUP}")),
                                 "balancingMode": "UTILIZATION", "maxUtilization": 0.8, "capacityScaler": 1}]}),
        ),
        (
            format!("{global}/urlMaps"),
            json!({"name": URL_MAP, "defaultService": link(format!("{global}/backendServices/{BACKEND_SERVICE}"))}),
        ),
        (
            format!("{global}/targetHttpProxies"),
            json!({"name": TARGET_HTTP_PROXY, "urlMap": link(format!("{global}/urlMaps/{URL_MAP}"))}),
        ),
        (
            format!("{global}/forwardingRules"),
            json!({"name": FORWARDING_RULE, "portRange": "80",
                   "target": link(format!("{global}/targetHttpProxies/{TARGET_HTTP_PROXY}"))}),
        ),
    ];
    for (collection, body) in rest {
        inserted.push(state.insert(&collection, body));
    }
    for result in inserted {
        if let Err(error) = result {
            tracing::error!(message = "seed resource rejected", error = %error.message);
        }
    }
    if let Err(error) = group {
        tracing::error!(message = "seed group rejected", error = %error.message);
    }
}
