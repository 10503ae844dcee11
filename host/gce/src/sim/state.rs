//! The simulator's in-memory world: generic resources by collection, managed
//! instance groups, Operations and the `requestId` → Operation map, faults and
//! counters. One mutex guards it all, so concurrent clients see each change
//! whole; nothing awaits while holding it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant, SystemTime};

use base64::Engine;
use rand::RngExt;
use serde::Serialize;
use serde_json::{Value, json};

use super::error::SimError;
use super::faults::Faults;
use super::groups::SimGroup;
use super::instances::Abandoned;
use super::operations::{SimOperation, rfc3339};
use crate::wire::ErrorItem;

/// The self-link base the simulator writes, as Google does.
pub const SELF_LINK_BASE: &str = "https://www.googleapis.com/compute/v1/";

/// How fast simulated things happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// An instance goes PROVISIONING → STAGING → RUNNING (VERIFYING) → NONE over this.
    pub boot_delay: Duration,
    /// An Operation is DONE this long after it was accepted.
    pub operation_delay: Duration,
    /// The longest an `operations/…/wait` call blocks.
    pub wait_deadline: Duration,
    /// `expires_in` of the tokens the token endpoints hand out.
    pub token_lifetime: Duration,
}

/// Counters tests and operators read from `/fulcrum-sim/stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct SimStats {
    /// Requests under `/compute/v1/`, faulted ones included.
    pub compute_requests: u64,
    /// Requests that carried `Authorization: Bearer …`.
    pub bearer_requests: u64,
    /// Resize calls that changed a group (replays excluded).
    pub resizes: u64,
    /// Backend-service writes accepted.
    pub backend_service_writes: u64,
    /// Backend-service writes refused with 412.
    pub fingerprint_conflicts: u64,
    /// Tokens granted for service-account JWTs.
    pub service_account_tokens: u64,
    /// Tokens granted by the metadata endpoint.
    pub metadata_tokens: u64,
    /// Faults answered instead of a Compute request.
    pub injected_faults: u64,
}

/// The whole simulated project set.
pub struct SimState {
    pub timing: Timing,
    pub faults: Faults,
    pub stats: SimStats,
    /// collection path (`projects/p/global/urlMaps`) → name → object.
    pub(super) resources: BTreeMap<String, BTreeMap<String, Value>>,
    /// `projects/p/zones/z/instanceGroupManagers/name` → group.
    pub(super) groups: BTreeMap<String, SimGroup>,
    /// VMs groups abandoned, by zone.
    pub(super) abandoned: Abandoned,
    /// Zones every project sees, besides those its resources are in.
    pub(super) zones: BTreeSet<String>,
    /// `projects/p/{scope}/operations/{name}` → Operation.
    operations: HashMap<String, SimOperation>,
    /// `requestId` → Operation key.
    request_ids: HashMap<String, String>,
    next_node_ip: u32,
    next_frontend_ip: u32,
}

/// A random uint64 id, as a JSON string.
pub fn new_id() -> String {
    rand::rng()
        .random_range(1_000_000_000_000_000_000u64..u64::MAX)
        .to_string()
}

/// A fresh fingerprint: 8 random bytes, URL-safe base64 (12 characters).
pub fn new_fingerprint() -> String {
    let bytes: [u8; 8] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE.encode(bytes)
}

/// The current time as Compute writes it.
pub fn now_timestamp() -> String {
    rfc3339(SystemTime::now())
}

/// Whether `name` is a valid Compute resource name.
pub fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    bytes.len() <= 63
        && first.is_ascii_lowercase()
        && (last.is_ascii_lowercase() || last.is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// The `kind` of objects in a collection.
fn kind_of(collection: &str) -> String {
    let plural = collection.rsplit('/').next().unwrap_or(collection);
    let singular = plural.strip_suffix("ies").map_or_else(
        || plural.trim_end_matches('s').to_owned(),
        |stem| format!("{stem}y"),
    );
    format!("compute#{singular}")
}

impl SimState {
    /// An empty world.
    pub fn new(timing: Timing, faults: Faults) -> Self {
        Self {
            timing,
            faults,
            stats: SimStats::default(),
            resources: BTreeMap::new(),
            groups: BTreeMap::new(),
            abandoned: Abandoned::new(),
            zones: BTreeSet::new(),
            operations: HashMap::new(),
            request_ids: HashMap::new(),
            next_node_ip: 1,
            next_frontend_ip: 1,
        }
    }

    /// The next simulated node address, 127.0.1.N (N in 1..=254, wrapping).
    pub fn next_node_ip(&mut self) -> String {
        let n = self.next_node_ip;
        self.next_node_ip = n % 254 + 1;
        format!("127.0.1.{n}")
    }

    /// The next simulated frontend (forwarding rule) address, 127.0.3.N.
    pub(super) fn next_frontend_ip(&mut self) -> String {
        let n = self.next_frontend_ip;
        self.next_frontend_ip = n % 254 + 1;
        format!("127.0.3.{n}")
    }

    /// The Operation a `requestId` already started, rendered.
    pub fn replay(&self, request_id: Option<&str>) -> Option<Value> {
        let key = self.request_ids.get(request_id?)?;
        self.operations.get(key).map(|op| self.render_operation(op))
    }

    fn render_operation(&self, op: &SimOperation) -> Value {
        let project = op
            .target_link
            .strip_prefix(SELF_LINK_BASE)
            .and_then(|rest| rest.strip_prefix("projects/"))
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default();
        op.render(
            SELF_LINK_BASE,
            project,
            self.timing.operation_delay,
            Instant::now(),
        )
    }

    /// Records an accepted mutation of `target` (a path from `projects/`) and
    /// returns its Operation as first reported.
    pub fn start_operation(
        &mut self,
        target: &str,
        target_id: &str,
        operation_type: &str,
        request_id: Option<&str>,
        failure: Option<ErrorItem>,
    ) -> Value {
        let segments: Vec<&str> = target.split('/').collect();
        let project = segments.get(1).copied().unwrap_or_default();
        let scope = match segments.get(2..4) {
            Some([kind @ ("zones" | "regions"), location]) => format!("{kind}/{location}"),
            _ => "global".to_owned(),
        };
        let millis = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        let suffix: u64 = rand::rng().random();
        let name = format!("operation-{millis}-{suffix:016x}");
        let op = SimOperation {
            name: name.clone(),
            id: new_id(),
            scope: scope.clone(),
            operation_type: operation_type.to_owned(),
            target_link: format!("{SELF_LINK_BASE}{target}"),
            target_id: target_id.to_owned(),
            request_id: request_id.map(str::to_owned),
            started: Instant::now(),
            started_wall: SystemTime::now(),
            failure: failure.map(|error| (403, error)),
        };
        let rendered = self.render_operation(&op);
        let key = format!("projects/{project}/{scope}/operations/{name}");
        if let Some(request_id) = request_id {
            self.request_ids.insert(request_id.to_owned(), key.clone());
        }
        self.operations.insert(key, op);
        rendered
    }

    /// An Operation by its path, rendered, and how long until it is DONE.
    pub fn operation(&self, path: &str) -> Result<(Value, Duration), SimError> {
        let op = self
            .operations
            .get(path)
            .ok_or_else(|| SimError::not_found(path))?;
        let remaining = op.remaining(self.timing.operation_delay, Instant::now());
        Ok((self.render_operation(op), remaining))
    }

    /// Lists a collection as `{kind, id, items, selfLink}`.
    pub fn list(&self, collection: &str) -> Value {
        let items: Vec<&Value> = self
            .resources
            .get(collection)
            .map(|objects| objects.values().collect())
            .unwrap_or_default();
        json!({
            "kind": format!("{}List", kind_of(collection)),
            "id": collection,
            "items": items,
            "selfLink": format!("{SELF_LINK_BASE}{collection}"),
        })
    }

    /// One object of a collection.
    pub fn get(&self, collection: &str, name: &str) -> Result<&Value, SimError> {
        self.resources
            .get(collection)
            .and_then(|objects| objects.get(name))
            .ok_or_else(|| SimError::not_found(&format!("{collection}/{name}")))
    }

    /// Replaces a stored object (after validation by the caller).
    pub fn put(&mut self, collection: &str, name: &str, object: Value) {
        self.resources
            .entry(collection.to_owned())
            .or_default()
            .insert(name.to_owned(), object);
    }

    /// Stores a new object, filling in the output-only fields Google adds.
    /// Returns the stored object.
    pub fn insert(&mut self, collection: &str, body: Value) -> Result<Value, SimError> {
        let Value::Object(mut object) = body else {
            return Err(SimError::invalid(
                "Invalid value for field 'resource': expected an object",
            ));
        };
        let name = match object.get("name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => return Err(SimError::required("resource.name")),
        };
        if !is_valid_name(&name) {
            return Err(SimError::invalid(format!(
                "Invalid value for field 'resource.name': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}[a-z0-9])?|[1-9][0-9]{{0,19}})'"
            )));
        }
        let path = format!("{collection}/{name}");
        if self
            .resources
            .get(collection)
            .is_some_and(|objects| objects.contains_key(&name))
        {
            return Err(SimError::already_exists(&path));
        }
        self.fill_defaults(collection, &mut object)?;
        object.insert("kind".to_owned(), json!(kind_of(collection)));
        object.insert("id".to_owned(), json!(new_id()));
        object.insert("creationTimestamp".to_owned(), json!(now_timestamp()));
        object.insert(
            "selfLink".to_owned(),
            json!(format!("{SELF_LINK_BASE}{path}")),
        );
        let object = Value::Object(object);
        self.put(collection, &name, object.clone());
        Ok(object)
    }

    /// Removes an object.
    pub fn delete(&mut self, collection: &str, name: &str) -> Result<Value, SimError> {
        self.resources
            .get_mut(collection)
            .and_then(|objects| objects.remove(name))
            .ok_or_else(|| SimError::not_found(&format!("{collection}/{name}")))
    }

    /// Applies a new fault set; lifting a stockout or quota fault lets failing
    /// instances start creating again.
    pub fn set_faults(&mut self, faults: Faults) {
        let lifted = faults.creation_failure("").is_none();
        self.faults = faults;
        if lifted {
            let now = Instant::now();
            for group in self.groups.values_mut() {
                group.retry_failed_instances(now);
            }
        }
    }

    /// Forgets instances whose deletion has finished.
    pub fn prune(&mut self) {
        let now = Instant::now();
        let boot = self.timing.boot_delay;
        for group in self.groups.values_mut() {
            group.prune(now, boot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_collection_name() {
        assert_eq!(kind_of("projects/p/global/urlMaps"), "compute#urlMap");
        assert_eq!(
            kind_of("projects/p/global/targetHttpProxies"),
            "compute#targetHttpProxy"
        );
        assert_eq!(
            kind_of("projects/p/global/forwardingRules"),
            "compute#forwardingRule"
        );
    }

    #[test]
    fn names_follow_googles_rule() {
        assert!(is_valid_name("tf-url-map"));
        assert!(!is_valid_name("Tf"));
        assert!(!is_valid_name("a-"));
        assert!(!is_valid_name(""));
    }

    #[test]
    fn fingerprints_look_like_googles() {
        let fingerprint = new_fingerprint();
        assert_eq!(fingerprint.len(), 12);
        assert!(fingerprint.ends_with('='));
    }
}
