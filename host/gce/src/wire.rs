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
    /// The resource name.
    pub name: String,
    /// The numeric id, a uint64 as a string.
    pub id: Option<String>,
    /// The resource URL.
    pub self_link: Option<String>,
    /// The zone URL, for zonal resources.
    pub zone: Option<String>,
    /// The region URL, for regional resources.
    pub region: Option<String>,
    /// The prefix of the names Compute gives the group's VMs.
    pub base_instance_name: Option<String>,
    /// The URL of the template new VMs are created from.
    pub instance_template: Option<String>,
    /// The `…/instanceGroups/…` URL: the one backend services and getHealth name.
    pub instance_group: Option<String>,
    /// How many VMs the group should have.
    pub target_size: i32,
    /// The optimistic lock a write must send back; a stale one gives 412.
    pub fingerprint: Option<String>,
    /// How many instances are in each action.
    pub current_actions: CurrentActions,
    /// Stability and the autoscaler, if any.
    pub status: Option<InstanceGroupManagerStatus>,
}

/// How many instances of a group are in each action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CurrentActions {
    /// Instances being abandoned.
    pub abandoning: i32,
    /// Instances being created.
    pub creating: i32,
    /// Instances being created once, without retries.
    pub creating_without_retries: i32,
    /// Instances being deleted.
    pub deleting: i32,
    /// Instances running with nothing scheduled.
    pub none: i32,
    /// Instances being deleted and created again.
    pub recreating: i32,
    /// Instances having their properties refreshed.
    pub refreshing: i32,
    /// Instances being restarted.
    pub restarting: i32,
    /// Instances being verified after creation.
    pub verifying: i32,
}

/// `InstanceGroupManager.status`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InstanceGroupManagerStatus {
    /// True when nothing is changing or scheduled in the group.
    pub is_stable: bool,
    /// Set when an autoscaler targets the group.
    pub autoscaler: Option<String>,
}

/// The answer of listManagedInstances.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedInstanceList {
    /// The instances on this page.
    pub managed_instances: Vec<ManagedInstance>,
    /// Present when more items follow; pass it as `pageToken`.
    pub next_page_token: Option<String>,
}

/// One VM of a managed instance group; it exists before the VM does.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ManagedInstance {
    /// The VM's URL.
    pub instance: String,
    /// The resource name.
    pub name: Option<String>,
    /// The numeric id, a uint64 as a string.
    pub id: Option<String>,
    /// `CREATING`, `DELETING`, `NONE`, `VERIFYING`, …
    pub current_action: String,
    /// Empty while the VM does not exist; then `PROVISIONING`, `STAGING`, `RUNNING`, …
    pub instance_status: Option<String>,
    /// The status the VM should reach: `RUNNING`, `DELETED`, `ABANDONED`, …
    pub target_status: Option<String>,
    /// The errors of the instance's last failed action (stockouts, quota).
    pub last_attempt: Option<LastAttempt>,
}

/// The errors of an instance's last failed action (stockouts, quota).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LastAttempt {
    /// The errors, when there are any.
    pub errors: Option<ErrorList>,
}

/// `{ "errors": [ … ] }` as used by operations and last attempts.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorList {
    /// The errors.
    pub errors: Vec<ErrorItem>,
}

/// One error of an operation or a last attempt.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorItem {
    /// Google's error code, e.g. `ZONE_RESOURCE_POOL_EXHAUSTED` or `QUOTA_EXCEEDED`.
    pub code: String,
    /// What went wrong, in words.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Where the error applies, when Google says.
    pub location: Option<String>,
}

/// A long-running mutation (`compute#operation`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Operation {
    /// The resource name.
    pub name: String,
    /// The numeric id, a uint64 as a string.
    pub id: Option<String>,
    /// The zone URL, for zonal resources.
    pub zone: Option<String>,
    /// The region URL, for regional resources.
    pub region: Option<String>,
    /// What the operation does, e.g. `compute.instanceGroupManagers.resize` or `patch`.
    pub operation_type: Option<String>,
    /// The URL of the resource the operation changes.
    pub target_link: Option<String>,
    /// `PENDING`, `RUNNING` or `DONE`.
    pub status: String,
    /// Percent done, 0 to 100; not linear.
    pub progress: Option<i32>,
    /// The resource URL.
    pub self_link: Option<String>,
    /// The `requestId` the client sent.
    pub client_operation_id: Option<String>,
    /// The HTTP status a failed operation stands for.
    pub http_error_status_code: Option<i32>,
    /// The HTTP reason phrase a failed operation stands for.
    pub http_error_message: Option<String>,
    /// Set when a DONE operation failed.
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
    /// The resource name.
    pub name: String,
    /// The numeric id, a uint64 as a string.
    pub id: Option<String>,
    /// The resource URL.
    pub self_link: Option<String>,
    /// The optimistic lock a write must send back; a stale one gives 412.
    pub fingerprint: Option<String>,
    /// The groups the service balances across.
    pub backends: Vec<Backend>,
    /// URLs of the health checks that probe the backends.
    pub health_checks: Vec<String>,
    /// The named port traffic goes to on the groups.
    pub port_name: Option<String>,
    /// The protocol to the backends, e.g. `HTTP`.
    pub protocol: Option<String>,
    /// `EXTERNAL`, `INTERNAL_MANAGED`, …
    pub load_balancing_scheme: Option<String>,
}

/// One entry of `BackendService.backends`; unknown fields survive a round trip.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backend {
    /// Fully-qualified instance group URL.
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    /// `UTILIZATION`, `RATE` or `CONNECTION`.
    pub balancing_mode: Option<String>,
    /// 0, or a value in [0.1, 1]; Google sends `1` and `1.0` alike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_scaler: Option<f64>,
    #[serde(flatten)]
    /// Every other field, kept so a patch sends it back unchanged.
    pub other: Map<String, Value>,
}

/// The answer of backendServices.getHealth for one group.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackendServiceGroupHealth {
    /// One entry per instance that exists.
    pub health_status: Vec<HealthStatus>,
}

/// The health of one instance of a backend group.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HealthStatus {
    /// The VM's URL.
    pub instance: String,
    /// The address the load balancer reaches the VM at.
    pub ip_address: Option<String>,
    /// The port the load balancer reaches the VM at.
    pub port: Option<i32>,
    /// `HEALTHY` or `UNHEALTHY`.
    pub health_state: Option<String>,
}

/// A URL map; only its links to backend services matter here.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UrlMap {
    /// The resource name.
    pub name: String,
    /// The resource URL.
    pub self_link: Option<String>,
    /// The backend service used when nothing else matches.
    pub default_service: Option<String>,
    /// Path matchers, each with its own service links.
    pub path_matchers: Vec<PathMatcher>,
}

/// A URL map's path matcher; only its service links are read.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PathMatcher {
    /// The resource name.
    pub name: String,
    /// The backend service used when nothing else matches.
    pub default_service: Option<String>,
    /// The matcher's path rules.
    pub path_rules: Vec<PathRule>,
}

/// One path rule of a path matcher.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PathRule {
    /// The backend service the rule sends to.
    pub service: Option<String>,
}

/// A target HTTP proxy.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetHttpProxy {
    /// The resource name.
    pub name: String,
    /// The resource URL.
    pub self_link: Option<String>,
    /// The URL map the proxy routes by.
    pub url_map: Option<String>,
}

/// A global forwarding rule.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ForwardingRule {
    /// The resource name.
    pub name: String,
    /// The resource URL.
    pub self_link: Option<String>,
    #[serde(rename = "IPAddress")]
    /// The address the load balancer reaches the VM at.
    pub ip_address: Option<String>,
    #[serde(rename = "IPProtocol")]
    /// The IP protocol, e.g. `TCP`.
    pub ip_protocol: Option<String>,
    /// The ports served, as `80-80`.
    pub port_range: Option<String>,
    /// The URL of the proxy the rule sends to.
    pub target: Option<String>,
}

/// A list answer (`items` plus paging), for any resource type.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceList<T> {
    #[serde(default = "Vec::new")]
    /// The objects on this page.
    pub items: Vec<T>,
    #[serde(default)]
    /// Present when more items follow; pass it as `pageToken`.
    pub next_page_token: Option<String>,
}

/// Google's error envelope: `{"error": {"code", "message", "errors": [{reason, …}]}}`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ApiErrorBody,
}

/// The body of Google's error envelope.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiErrorBody {
    /// The HTTP status.
    pub code: u16,
    /// What went wrong, in words.
    pub message: String,
    /// The individual errors; the first one's `reason` classifies the failure.
    pub errors: Vec<ApiErrorDetail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The google.rpc code name newer front ends add, e.g. `RESOURCE_EXHAUSTED`.
    pub status: Option<String>,
}

/// One entry of an error envelope's `errors`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default)]
pub struct ApiErrorDetail {
    /// The error domain, e.g. `global` or `usageLimits`.
    pub domain: String,
    /// The reason, e.g. `notFound`, `conditionNotMet`, `rateLimitExceeded`.
    pub reason: String,
    /// What went wrong, in words.
    pub message: String,
}
