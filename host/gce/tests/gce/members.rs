//! The group verbs an operator uses against the simulator: recreateInstances,
//! deleteInstances, abandonInstances and setInstanceTemplate, and the 400s
//! for instances that are not members.

use fulcrum_gce::sim::{self, Faults, SimServer};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{ZONE, eventually, get, mutate, request, start_sim};

fn group_path() -> String {
    format!("zones/{ZONE}/instanceGroupManagers/{}", sim::GROUP)
}

async fn members(server: &SimServer) -> Vec<Value> {
    let (status, listed) = request(
        server,
        Method::POST,
        &format!("{}/listManagedInstances", group_path()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    listed["managedInstances"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn partial_url(name: &str) -> String {
    format!("zones/{ZONE}/instances/{name}")
}

#[tokio::test]
async fn recreated_instances_come_back_under_the_same_name() {
    let server = start_sim(Faults::default()).await;
    let before = members(&server).await;
    let victim = before[0]["name"].as_str().unwrap().to_owned();
    let old_id = before[0]["id"].clone();
    let verb = format!("{}/recreateInstances", group_path());
    mutate(&server, &verb, json!({"instances": [partial_url(&victim)]})).await;

    let group = get(&server, &group_path()).await;
    assert_eq!(group["targetSize"], 3);
    let after = members(&server).await;
    let again = after.iter().find(|i| i["name"] == victim.as_str()).unwrap();
    assert_ne!(again["id"], old_id, "a recreated VM is a new VM");
    eventually(100, || async {
        let listed = members(&server).await;
        let item = listed
            .iter()
            .find(|i| i["name"] == victim.as_str())?
            .clone();
        (item["currentAction"] == "NONE").then_some(())
    })
    .await;
    server.shutdown().await;
}

#[tokio::test]
async fn recreating_shows_in_the_group_while_the_vm_boots() {
    let server = start_sim(Faults {
        stockout: true,
        ..Faults::default()
    })
    .await;
    let victim = members(&server).await[1]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let verb = format!("{}/recreateInstances", group_path());
    mutate(&server, &verb, json!({"instances": [partial_url(&victim)]})).await;
    let listed = members(&server).await;
    let item = listed
        .iter()
        .find(|i| i["name"] == victim.as_str())
        .unwrap();
    assert_eq!(item["currentAction"], "RECREATING", "{item}");
    let group = get(&server, &group_path()).await;
    assert_eq!(group["currentActions"]["recreating"], 1, "{group}");
    assert_eq!(group["status"]["isStable"], false);
    server.shutdown().await;
}

#[tokio::test]
async fn deleted_instances_leave_and_lower_the_target() {
    let server = start_sim(Faults::default()).await;
    let victim = members(&server).await[0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let verb = format!("{}/deleteInstances", group_path());
    mutate(&server, &verb, json!({"instances": [partial_url(&victim)]})).await;
    assert_eq!(get(&server, &group_path()).await["targetSize"], 2);
    eventually(100, || async {
        let listed = members(&server).await;
        (listed.len() == 2 && listed.iter().all(|i| i["name"] != victim.as_str())).then_some(())
    })
    .await;
    let (status, _) = request(
        &server,
        Method::GET,
        &format!("zones/{ZONE}/instances/{victim}"),
        None,
    )
    .await;
    assert_eq!(status, 404, "a deleted VM is gone");
    server.shutdown().await;
}

#[tokio::test]
async fn abandoned_instances_leave_the_group_but_keep_running() {
    let server = start_sim(Faults::default()).await;
    let victim = members(&server).await[2]["instance"]
        .as_str()
        .unwrap()
        .to_owned();
    let name = victim.rsplit('/').next().unwrap().to_owned();
    let verb = format!("{}/abandonInstances", group_path());
    mutate(&server, &verb, json!({"instances": [victim.clone()]})).await;

    let group = get(&server, &group_path()).await;
    assert_eq!(group["targetSize"], 2);
    assert_eq!(group["status"]["isStable"], true, "nothing replaces it");
    let listed = members(&server).await;
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().all(|i| i["name"] != name.as_str()));
    let vm = get(&server, &format!("zones/{ZONE}/instances/{name}")).await;
    assert_eq!(vm["status"], "RUNNING");
    assert_eq!(vm["selfLink"], victim.as_str());
    let vms = get(&server, &format!("zones/{ZONE}/instances")).await;
    assert_eq!(vms["items"].as_array().unwrap().len(), 3, "{vms}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_new_template_is_for_new_vms_only() {
    let server = start_sim(Faults::default()).await;
    mutate(
        &server,
        "global/instanceTemplates",
        json!({"name": "tf-template-v2", "properties": {"machineType": "n1-standard-8"}}),
    )
    .await;
    let v2 = format!(
        "https://www.googleapis.com/compute/v1/projects/{}/global/instanceTemplates/tf-template-v2",
        crate::common::PROJECT
    );
    let verb = format!("{}/setInstanceTemplate", group_path());
    mutate(&server, &verb, json!({"instanceTemplate": v2})).await;

    let group = get(&server, &group_path()).await;
    assert_eq!(group["instanceTemplate"], v2.as_str());
    assert_eq!(group["status"]["versionTarget"]["isReached"], false);
    let listed = members(&server).await;
    assert!(listed.iter().all(|i| {
        i["version"]["instanceTemplate"]
            .as_str()
            .is_some_and(|t| t.ends_with(sim::TEMPLATE))
    }));
    let names: Vec<String> = listed
        .iter()
        .map(|i| partial_url(i["name"].as_str().unwrap()))
        .collect();
    let recreate = format!("{}/recreateInstances", group_path());
    mutate(&server, &recreate, json!({"instances": names})).await;
    let listed = members(&server).await;
    assert!(
        listed
            .iter()
            .all(|i| i["version"]["instanceTemplate"] == v2.as_str())
    );
    let group = get(&server, &group_path()).await;
    assert_eq!(group["status"]["versionTarget"]["isReached"], true);

    let (status, body) = request(
        &server,
        Method::POST,
        &verb,
        Some(json!({"instanceTemplate": "global/instanceTemplates/nope"})),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_instances_are_refused_with_the_field_named() {
    let server = start_sim(Faults::default()).await;
    let member = members(&server).await[0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    for verb in ["recreateInstances", "deleteInstances", "abandonInstances"] {
        for (index, link) in [
            (0, partial_url("no-such-vm")),
            (1, format!("zones/us-east1-b/instances/{member}")),
        ] {
            let mut instances = vec![partial_url(&member)];
            instances.insert(index, link);
            instances.truncate(index + 1);
            let (status, body) = request(
                &server,
                Method::POST,
                &format!("{}/{verb}", group_path()),
                Some(json!({"instances": instances})),
            )
            .await;
            assert_eq!(status, 400, "{verb}: {body}");
            assert_eq!(body["error"]["errors"][0]["reason"], "invalid");
            let message = body["error"]["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(&format!("resource.instances[{index}]")),
                "{verb}: {message}"
            );
        }
    }
    let group = get(&server, &group_path()).await;
    assert_eq!(group["targetSize"], 3, "refused calls change nothing");
    let verb = format!("{}/deleteInstances", group_path());
    mutate(
        &server,
        &verb,
        json!({"instances": [partial_url("no-such-vm")], "skipInstancesOnValidationError": true}),
    )
    .await;
    assert_eq!(get(&server, &group_path()).await["targetSize"], 3);
    server.shutdown().await;
}
