//! The client's wire types and error parsing against responses recorded from
//! real Compute Engine (k8s-config-connector logs, apache/libcloud bodies).

use std::path::PathBuf;

use fulcrum_gce::GceError;
use fulcrum_gce::source::{InstanceErrorKind, instances_from_list};
use fulcrum_gce::wire::{BackendService, InstanceGroupManager, ManagedInstanceList, Operation};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/gce")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

/// One recorded exchange: the request line, the status and the response body.
struct Exchange {
    request: String,
    status: u16,
    body: String,
}

/// Splits a KCC `_http.log` into exchanges.
fn exchanges(log: &str) -> Vec<Exchange> {
    log.split("\n---\n")
        .filter_map(|block| {
            let block = block.trim_start();
            let request = block.lines().next()?.to_owned();
            let status_at = block.lines().position(|line| {
                line.len() > 4
                    && line[..3].bytes().all(|b| b.is_ascii_digit())
                    && line.as_bytes()[3] == b' '
            })?;
            let lines: Vec<&str> = block.lines().collect();
            let status = lines[status_at][..3].parse().ok()?;
            let body_at = status_at + lines[status_at..].iter().position(|line| line.is_empty())?;
            Some(Exchange {
                request,
                status,
                body: lines[body_at..].join("\n"),
            })
        })
        .collect()
}

#[test]
fn recorded_instance_group_manager_gets_parse_before_and_after_a_patch() {
    let log = fixture("kcc__zonalcomputeinstancegroupmanager___http.log");
    let managers: Vec<InstanceGroupManager> = exchanges(&log)
        .iter()
        .filter(|exchange| {
            exchange.request.starts_with("GET ")
                && exchange.request.contains("/instanceGroupManagers/")
                && exchange.status == 200
        })
        .map(|exchange| serde_json::from_str(&exchange.body).expect("IGM body parses"))
        .collect();
    assert_eq!(
        managers.len(),
        2,
        "one GET after insert, one after the PATCH"
    );
    assert_eq!(managers[0].target_size, 3);
    assert_eq!(managers[1].target_size, 4);
    let first = &managers[0];
    assert_eq!(first.base_instance_name.as_deref(), Some("app"));
    assert!(first.status.as_ref().expect("status recorded").is_stable);
    assert_eq!(
        first.current_actions,
        Default::default(),
        "this recording carries no currentActions"
    );
    assert!(
        first
            .instance_group
            .as_deref()
            .expect("instanceGroup recorded")
            .contains("/zones/us-central1-a/instanceGroups/")
    );
    assert_eq!(first.fingerprint.as_deref(), Some("abcdef0123A="));
}

#[test]
fn recorded_not_found_becomes_an_api_error_with_reason_and_resource() {
    let log = fixture("kcc__zonalcomputeinstancegroupmanager___http.log");
    let missing = exchanges(&log)
        .into_iter()
        .find(|exchange| exchange.status == 404)
        .expect("a 404 is recorded");
    let error = GceError::from_response(
        "zones/us-central1-a/instanceGroupManagers/x",
        404,
        missing.body.as_bytes(),
    );
    match &error {
        GceError::Api {
            code,
            reason,
            message,
            resource,
        } => {
            assert_eq!(*code, 404);
            assert_eq!(reason, "notFound");
            assert!(message.contains("was not found"), "{message}");
            assert_eq!(resource, "zones/us-central1-a/instanceGroupManagers/x");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert!(error.to_string().contains("404 notFound"), "{error}");
}

#[test]
fn recorded_operations_parse_from_running_to_done() {
    let log = fixture("kcc__zonalcomputeinstancegroupmanager___http.log");
    let operations: Vec<Operation> = exchanges(&log)
        .iter()
        .filter(|exchange| {
            exchange.status == 200 && exchange.body.contains("\"compute#operation\"")
        })
        .map(|exchange| serde_json::from_str(&exchange.body).expect("operation parses"))
        .collect();
    assert!(
        operations
            .iter()
            .any(|op| op.status == "RUNNING" && op.progress == Some(0))
    );
    let done = operations
        .iter()
        .find(|op| op.is_done())
        .expect("a DONE operation is recorded");
    assert_eq!(done.progress, Some(100));
    assert!(done.error.is_none());
}

#[test]
fn recorded_backend_service_keeps_backend_fields_for_a_round_trip() {
    let log = fixture("kcc__globalcomputebackendservice___http.log");
    let get = exchanges(&log)
        .into_iter()
        .find(|exchange| {
            exchange.request.starts_with("GET ")
                && exchange.request.contains("/backendServices/")
                && exchange.status == 200
        })
        .expect("a successful backend service GET is recorded");
    let service: BackendService = serde_json::from_str(&get.body).expect("backend service parses");
    assert_eq!(service.fingerprint.as_deref(), Some("abcdef0123A="));
    let backend = service.backends.first().expect("one backend recorded");
    assert_eq!(backend.capacity_scaler, Some(1.0));
    assert_eq!(backend.balancing_mode.as_deref(), Some("UTILIZATION"));
    let round_trip = serde_json::to_value(backend).expect("backend serializes");
    let original: serde_json::Value = serde_json::from_str(&get.body).expect("json");
    for (key, value) in original["backends"][0].as_object().expect("backend object") {
        if key != "capacityScaler" {
            assert_eq!(
                &round_trip[key], value,
                "field {key} survives the round trip"
            );
        }
    }
}

#[test]
fn libcloud_bodies_parse() {
    let service: BackendService = serde_json::from_str(&fixture(
        "libcloud__global_backendServices_web_service.json",
    ))
    .expect("parses");
    assert_eq!(service.fingerprint.as_deref(), Some("ha9VAg-MJ5M="));
    assert_eq!(service.backends.len(), 2);
    assert_eq!(service.backends[1].other["maxRate"], 150);

    let manager: InstanceGroupManager = serde_json::from_str(&fixture(
        "libcloud__zones_us-central1-a_instanceGroupManagers_myinstancegroup.json",
    ))
    .expect("parses");
    assert_eq!(manager.target_size, 4);
    assert_eq!(manager.current_actions.none, 4);
    assert_eq!(manager.base_instance_name.as_deref(), Some("base-foo"));

    let op: Operation = serde_json::from_str(&fixture(
        "libcloud__zones_us-central1-a_operations_operation_zones_us-central1-a_instanceGroupManagers_insert_post.json",
    ))
    .expect("parses");
    assert!(op.is_done());
    assert_eq!(
        op.operation_type.as_deref(),
        Some("compute.instanceGroupManagers.insert")
    );

    let list: ManagedInstanceList = serde_json::from_str(&fixture(
        "libcloud__zones_us_central1_a_instanceGroupManagers_myinstancegroup_listManagedInstances.json",
    ))
    .expect("parses");
    let instances = instances_from_list(list);
    assert_eq!(instances.len(), 4);
    assert_eq!(instances[0].name, "base-foo-2vld");
    assert_eq!(instances[0].status.as_deref(), Some("RUNNING"));
    assert!(
        instances
            .iter()
            .all(|instance| instance.last_error.is_none())
    );
}

#[test]
fn last_attempt_errors_are_classified_like_cluster_autoscaler() {
    assert_eq!(
        InstanceErrorKind::classify("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"),
        InstanceErrorKind::Stockout
    );
    assert_eq!(
        InstanceErrorKind::classify("QUOTA_EXCEEDED"),
        InstanceErrorKind::Quota
    );
    assert_eq!(
        InstanceErrorKind::classify("IP_SPACE_EXHAUSTED"),
        InstanceErrorKind::Other
    );
}
