//! `aggregatedList` as Compute answers it: every scope keyed by name, the
//! collection's list field or a NO_RESULTS_ON_PAGE warning, and paging across
//! scopes.

use fulcrum_gce::sim::{self, Faults};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{PROJECT, ZONE, get, mutate, request, start_sim};

const REGION: &str = "us-central1";

fn assert_empty_scope(list: &Value, scope: &str) {
    let warning = &list["items"][scope]["warning"];
    assert_eq!(warning["code"], "NO_RESULTS_ON_PAGE", "{scope}: {list}");
    assert_eq!(warning["data"][0]["value"], scope);
}

#[tokio::test]
async fn global_collections_list_under_global_with_empty_regions_warned() {
    let server = start_sim(Faults::default()).await;
    for (collection, kind, name) in [
        ("urlMaps", "compute#urlMapsAggregatedList", sim::URL_MAP),
        (
            "instanceTemplates",
            "compute#instanceTemplateAggregatedList",
            sim::TEMPLATE,
        ),
        (
            "healthChecks",
            "compute#healthChecksAggregatedList",
            sim::HEALTH_CHECK,
        ),
        (
            "backendServices",
            "compute#backendServiceAggregatedList",
            sim::BACKEND_SERVICE,
        ),
        (
            "targetHttpProxies",
            "compute#targetHttpProxyAggregatedList",
            sim::TARGET_HTTP_PROXY,
        ),
        (
            "forwardingRules",
            "compute#forwardingRuleAggregatedList",
            sim::FORWARDING_RULE,
        ),
    ] {
        let list = get(
            &server,
            &format!("aggregated/{collection}?returnPartialSuccess=true&includeAllScopes=true"),
        )
        .await;
        assert_eq!(list["kind"], kind);
        let id = format!("projects/{PROJECT}/aggregated/{collection}");
        assert_eq!(list["id"], id.as_str());
        assert_eq!(
            list["selfLink"],
            format!("https://www.googleapis.com/compute/v1/{id}")
        );
        assert_eq!(
            list["items"]["global"][collection][0]["name"], name,
            "{list}"
        );
        assert_empty_scope(&list, &format!("regions/{REGION}"));
        assert!(list["items"].get(format!("zones/{ZONE}")).is_none());
        assert!(list.get("nextPageToken").is_none());
    }
    server.shutdown().await;
}

#[tokio::test]
async fn zonal_and_regional_collections_list_by_location() {
    let server = start_sim(Faults::default()).await;
    mutate(
        &server,
        &format!("regions/{REGION}/instanceGroupManagers"),
        json!({"name": "tf-train", "baseInstanceName": "tf-train", "targetSize": 1}),
    )
    .await;
    let groups = get(&server, "aggregated/instanceGroupManagers").await;
    assert_eq!(groups["kind"], "compute#instanceGroupManagerAggregatedList");
    let zonal = &groups["items"][format!("zones/{ZONE}")]["instanceGroupManagers"];
    assert_eq!(zonal[0]["name"], sim::GROUP);
    let regional = &groups["items"][format!("regions/{REGION}")]["instanceGroupManagers"];
    assert_eq!(regional[0]["name"], "tf-train");
    assert!(groups["items"].get("global").is_none());

    let autoscalers = get(&server, "aggregated/autoscalers").await;
    assert_empty_scope(&autoscalers, &format!("zones/{ZONE}"));
    assert_empty_scope(&autoscalers, &format!("regions/{REGION}"));

    let instances = get(&server, "aggregated/instances").await;
    assert_eq!(instances["kind"], "compute#instanceAggregatedList");
    let vms = instances["items"][format!("zones/{ZONE}")]["instances"]
        .as_array()
        .expect("the zone's VMs");
    assert_eq!(
        vms.len(),
        4,
        "three seeded VMs and the regional group's one"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn pages_walk_every_scope_once() {
    let server = start_sim(Faults::default()).await;
    for n in 1..=2 {
        mutate(
            &server,
            "global/healthChecks",
            json!({"name": format!("page-check-{n}"), "type": "HTTP"}),
        )
        .await;
    }
    let (mut names, mut token, mut pages) = (Vec::new(), None::<String>, 0);
    loop {
        let mut path = "aggregated/healthChecks?maxResults=2".to_owned();
        if let Some(token) = &token {
            path.push_str(&format!("&pageToken={token}"));
        }
        let page = get(&server, &path).await;
        pages += 1;
        let global = &page["items"]["global"];
        match global["healthChecks"].as_array() {
            Some(checks) => names.extend(checks.iter().map(|c| c["name"].clone())),
            None => assert_empty_scope(&page, "global"),
        }
        match page["nextPageToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(names.len(), 3, "{names:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn bad_arguments_are_refused() {
    let server = start_sim(Faults::default()).await;
    for (path, status, field) in [
        (
            "aggregated/urlMaps?includeAllScopes=maybe",
            400,
            "includeAllScopes",
        ),
        (
            "aggregated/urlMaps?returnPartialSuccess=1",
            400,
            "returnPartialSuccess",
        ),
        ("aggregated/urlMaps?maxResults=501", 400, "maxResults"),
        ("aggregated/urlMaps?pageToken=garbage", 400, "pageToken"),
        ("aggregated/noSuchThings", 404, "aggregated/noSuchThings"),
    ] {
        let (got, body) = request(&server, Method::GET, path, None).await;
        assert_eq!(got, status, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{path}: {message}");
    }
    server.shutdown().await;
}
