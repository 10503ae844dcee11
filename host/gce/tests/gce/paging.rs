//! Lists longer than a page: the client follows `nextPageToken` to the end,
//! and the simulator pages as Compute does (and only where Compute does).

use fulcrum_gce::GroupRef;
use fulcrum_gce::sim::{Faults, SimServer};
use serde_json::{Value, json};

use crate::common::{PROJECT, ZONE, client, start_sim};

/// POSTs `body` to `path` (under the project) and returns the answer.
async fn post(server: &SimServer, path: &str, body: Value) -> Value {
    let http = fulcrum_gce::build_http_client(std::time::Duration::from_secs(10)).expect("client");
    let response = http
        .post(format!("{}projects/{PROJECT}/{path}", server.api_root()))
        .json(&body)
        .send()
        .await
        .expect("request sent");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.expect("JSON answer")
}

#[tokio::test]
async fn a_paginated_group_is_read_whole_across_pages() {
    let server = start_sim(Faults::default()).await;
    post(
        &server,
        &format!("zones/{ZONE}/instanceGroupManagers"),
        json!({
            "name": "tf-batch",
            "baseInstanceName": "tf-batch",
            "targetSize": 1201,
            "listManagedInstancesResults": "PAGINATED",
        }),
    )
    .await;

    let client = client(&server);
    let before = server.stats().compute_requests;
    let instances = client
        .list_managed_instances(&GroupRef::zonal(ZONE, "tf-batch"))
        .await
        .expect("every page reads");
    assert_eq!(
        server.stats().compute_requests - before,
        3,
        "500 + 500 + 201"
    );
    let mut names: Vec<&str> = instances.iter().map(|i| i.instance.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 1201, "each instance once");
    server.shutdown().await;
}

#[tokio::test]
async fn a_pageless_group_answers_whole_whatever_the_page_size() {
    let server = start_sim(Faults::default()).await;
    let seeded = format!(
        "zones/{ZONE}/instanceGroupManagers/{}/listManagedInstances?maxResults=1",
        fulcrum_gce::sim::GROUP
    );
    let listed = post(&server, &seeded, Value::Null).await;
    assert_eq!(listed["managedInstances"].as_array().map(Vec::len), Some(3));
    assert!(listed.get("nextPageToken").is_none(), "{listed}");
    server.shutdown().await;
}

#[tokio::test]
async fn collections_are_read_whole_across_pages() {
    let server = start_sim(Faults::default()).await;
    for n in 0..500 {
        post(
            &server,
            "global/urlMaps",
            json!({"name": format!("extra-map-{n:03}"), "defaultService": "tf-backend-service"}),
        )
        .await;
    }
    let maps = client(&server)
        .list_url_maps()
        .await
        .expect("every page reads");
    assert_eq!(maps.len(), 501, "the seeded map and 500 more");
    assert!(maps.iter().any(|map| map.name == fulcrum_gce::sim::URL_MAP));
    server.shutdown().await;
}

#[tokio::test]
async fn bad_page_arguments_are_refused_with_the_field_named() {
    let server = start_sim(Faults::default()).await;
    let http = fulcrum_gce::build_http_client(std::time::Duration::from_secs(10)).expect("client");
    let root = format!("{}projects/{PROJECT}/global/urlMaps", server.api_root());
    for (query, field) in [
        ("maxResults=501", "maxResults"),
        ("pageToken=garbage", "pageToken"),
    ] {
        let response = http
            .get(format!("{root}?{query}"))
            .send()
            .await
            .expect("request sent");
        assert_eq!(response.status().as_u16(), 400, "{query}");
        let body: Value = response.json().await.expect("error body");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(field), "{query}: {body}");
    }
    server.shutdown().await;
}
