//! Compute v1 JSON shapes that Fulcrum reads and writes, as Google sends them.
//!
//! Only the fields Fulcrum uses are typed; `Backend` keeps every other field so a
//! patch of the `backends` list sends each backend back unchanged apart from the
//! capacity scaler. `id` values are uint64 numbers encoded as JSON strings.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A managed instance group (`compute#instanceGroupManager`), zonal or regional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstanceGroupManager {
    pub name: String,
    pub id: Option<String>,
    pub self_link: Option<String>,
    pub zone: Option<String>,
    pub region: Option<String>,
    pub base_instance_name: Option<String>,
    pub instance_template: Option<String>,
    /// The `…/instanceGroups/…` URL: the one backend services and getHealth name.
    pub instance_group: Option<String>,
    pub target_size: i32,
    pub fingerprint: Option<String>,
    pub current_actions: CurrentActions,
    pub status: Option<InstanceGroupManagerStatus>,
}

/// How many instances of a group are in each action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CurrentActions {
    pub abandoning: i32,
    pub creating: i32,
    pub creating_without_retries: i32,
    pub deleting: i32,
    pub none: i32,
    pub recreating: i32,
    pub refreshing: i32,
    pub restarting: i32,
    pub verifying: i32,
}

/// `InstanceGroupManager.status`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstanceGroupManagerStatus {
    pub is_stable: bool,
    /// Set when an autoscaler targets the group.
    pub autoscaler: Option<String>,
}

/// The answer of listManagedInstances.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedInstanceList {
    pub managed_instances: Vec<ManagedInstance>,
    pub next_page_token: Option<String>,
}

/// One VM of a managed instance group; it exists before the VM does.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedInstance {
    /// The VM's URL.
    pub instance: String,
    pub name: Option<String>,
    pub id: Option<String>,
    /// `CREATING`, `DELETING`, `NONE`, `VERIFYING`, …
    pub current_action: String,
    /// Empty while the VM does not exist; then `PROVISIONING`, `STAGING`, `RUNNING`, …
    pub instance_status: Option<String>,
    pub target_status: Option<String>,
    pub last_attempt: Option<LastAttempt>,
}

/// The errors of an instance's last failed action (stockouts, quota).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LastAttempt {
    pub errors: Option<ErrorList>,
}

/// `{ "errors": [ … ] }` as used by operations and last attempts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorList {
    pub errors: Vec<ErrorItem>,
}

/// One error of an operation or a last attempt.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorItem {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A long-running mutation (`compute#operation`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Operation {
    pub name: String,
    pub id: Option<String>,
    pub zone: Option<String>,
    pub region: Option<String>,
    pub operation_type: Option<String>,
    pub target_link: Option<String>,
    /// `PENDING`, `RUNNING` or `DONE`.
    pub status: String,
    pub progress: Option<i32>,
    pub self_link: Option<String>,
    pub client_operation_id: Option<String>,
    pub http_error_status_code: Option<i32>,
    pub http_error_message: Option<String>,
    pub error: Option<ErrorList>,
}

impl Operation {
    /// Whether the operation has finished, successfully or not.
    pub fn is_done(&self) -> bool {
        self.status == "DONE"
    }
}

/// A backend service (`compute#backendService`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendService {
    pub name: String,
    pub id: Option<String>,
    pub self_link: Option<String>,
    pub fingerprint: Option<String>,
    pub backends: Vec<Backend>,
    pub health_checks: Vec<String>,
    pub port_name: Option<String>,
    pub protocol: Option<String>,
    pub load_balancing_scheme: Option<String>,
}

/// One entry of `BackendService.backends`; unknown fields survive a round trip.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    /// Fully-qualified instance group URL.
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balancing_mode: Option<String>,
    /// 0, or a value in [0.1, 1]; Google sends `1` and `1.0` alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_scaler: Option<f64>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The answer of backendServices.getHealth for one group.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendServiceGroupHealth {
    pub health_status: Vec<HealthStatus>,
}

/// The health of one instance of a backend group.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HealthStatus {
    pub instance: String,
    pub ip_address: Option<String>,
    pub port: Option<i32>,
    /// `HEALTHY` or `UNHEALTHY`.
    pub health_state: Option<String>,
}

/// A URL map; only its links to backend services matter here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UrlMap {
    pub name: String,
    pub self_link: Option<String>,
    pub default_service: Option<String>,
    pub path_matchers: Vec<PathMatcher>,
}

/// A URL map's path matcher; only its service links are read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PathMatcher {
    pub name: String,
    pub default_service: Option<String>,
    pub path_rules: Vec<PathRule>,
}

/// One path rule of a path matcher.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PathRule {
    pub service: Option<String>,
}

/// A target HTTP proxy.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetHttpProxy {
    pub name: String,
    pub self_link: Option<String>,
    pub url_map: Option<String>,
}

/// A global forwarding rule.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ForwardingRule {
    pub name: String,
    pub self_link: Option<String>,
    #[serde(rename = "IPAddress")]
    pub ip_address: Option<String>,
    #[serde(rename = "IPProtocol")]
    pub ip_protocol: Option<String>,
    pub port_range: Option<String>,
    pub target: Option<String>,
}

/// A list answer (`items` plus paging), for any resource type.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceList<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub next_page_token: Option<String>,
}

/// Google's error envelope: `{"error": {"code", "message", "errors": [{reason, …}]}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ErrorEnvelope {
    pub error: ApiErrorBody,
}

/// The body of Google's error envelope.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiErrorBody {
    pub code: u16,
    pub message: String,
    pub errors: Vec<ApiErrorDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// One entry of an error envelope's `errors`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiErrorDetail {
    pub domain: String,
    pub reason: String,
    pub message: String,
}
