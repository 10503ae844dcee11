//! The client, actuator, source and chain against the seeded simulator.

use fulcrum_gce::sim::{self, Faults, SimOptions};
use fulcrum_gce::{GceActuator, GceError, ScalerChange, SizeChange, read_chain, read_group};

use crate::common::{client, eventually, fast_timing, seed_group, seed_service, start_sim};

#[tokio::test]
async fn seeded_group_is_running_and_healthy() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let state = read_group(&client, &seed_group(), Some(&seed_service()))
        .await
        .expect("group reads");
    assert_eq!(state.target_size, 3);
    assert_eq!(state.running, 3);
    assert_eq!(state.creating, 0);
    assert!(state.is_stable);
    let health = state
        .health
        .expect("health read through the backend service");
    assert_eq!(health.len(), 3);
    assert!(health.iter().all(|instance| instance.healthy));
    assert!(health.iter().all(|instance| {
        instance
            .ip_address
            .as_deref()
            .is_some_and(|ip| ip.starts_with("127.0.1."))
    }));
    assert!(health.iter().all(|instance| instance.port == Some(80)));
    server.shutdown().await;
}

#[tokio::test]
async fn resize_creates_instances_that_boot_and_become_healthy() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let actuator = GceActuator::new(client.clone());
    let change = actuator
        .set_target_size(&seed_group(), 5)
        .await
        .expect("resize succeeds");
    assert_eq!(change, SizeChange::Resized { from: 3, to: 5 });

    let state = read_group(&client, &seed_group(), None)
        .await
        .expect("group reads");
    assert_eq!(state.target_size, 5);
    assert_eq!(state.instances.len(), 5);

    let settled = eventually(100, || async {
        let state = read_group(&client, &seed_group(), Some(&seed_service()))
            .await
            .ok()?;
        let healthy = state.health.as_ref()?.iter().filter(|h| h.healthy).count();
        (state.running == 5 && healthy == 5 && state.is_stable).then_some(state)
    })
    .await;
    assert!(settled.instances.iter().all(|i| i.current_action == "NONE"));

    let again = actuator
        .set_target_size(&seed_group(), 5)
        .await
        .expect("no-op succeeds");
    assert_eq!(again, SizeChange::Unchanged { size: 5 });
    assert_eq!(
        server.stats().resizes,
        1,
        "asking for the same size sends nothing"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn scale_in_removes_the_chosen_instances() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let before = read_group(&client, &seed_group(), None)
        .await
        .expect("group reads");
    let victim = before.instances[1].name.clone();
    GceActuator::new(client.clone())
        .remove_instances(&seed_group(), std::slice::from_ref(&victim))
        .await
        .expect("deleteInstances succeeds");
    let after = read_group(&client, &seed_group(), None)
        .await
        .expect("group reads");
    assert_eq!(after.target_size, 2);
    let gone = eventually(100, || async {
        let state = read_group(&client, &seed_group(), None).await.ok()?;
        (!state.instances.iter().any(|i| i.name == victim)).then_some(state)
    })
    .await;
    assert_eq!(gone.instances.len(), 2);
    server.shutdown().await;
}

#[tokio::test]
async fn capacity_scaler_is_patched_with_the_whole_backend_list() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let actuator = GceActuator::new(client.clone());
    let group_url = client
        .get_group(&seed_group())
        .await
        .expect("group")
        .instance_group
        .expect("instanceGroup");
    let change = actuator
        .set_capacity_scaler(&seed_service(), &group_url, 0.5)
        .await
        .expect("patch succeeds");
    assert_eq!(
        change,
        ScalerChange::Patched {
            from: 1.0,
            to: 0.5,
            conflicts: 0
        }
    );
    let service = client
        .get_backend_service(&seed_service())
        .await
        .expect("service reads");
    assert_eq!(service.backends[0].capacity_scaler, Some(0.5));
    assert_eq!(
        service.backends[0].balancing_mode.as_deref(),
        Some("UTILIZATION")
    );
    assert_eq!(service.backends[0].other["maxUtilization"], 0.8);

    let refused = actuator
        .set_capacity_scaler(&seed_service(), &group_url, 0.05)
        .await;
    assert!(
        matches!(refused, Err(GceError::Refused { .. })),
        "{refused:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn lone_backend_cannot_be_drained_to_zero() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let group_url = client
        .get_group(&seed_group())
        .await
        .expect("group")
        .instance_group
        .expect("instanceGroup");
    let error = GceActuator::new(client)
        .set_capacity_scaler(&seed_service(), &group_url, 0.0)
        .await
        .expect_err("Google refuses 0 for a single backend");
    assert_eq!(error.http_status(), Some(400));
    server.shutdown().await;
}

#[tokio::test]
async fn chain_reaches_the_forwarding_rule_ip() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let chain = read_chain(&client, &seed_service())
        .await
        .expect("chain reads");
    assert_eq!(chain.backend_service, sim::BACKEND_SERVICE);
    assert_eq!(chain.url_maps.len(), 1);
    assert_eq!(chain.url_maps[0].name, sim::URL_MAP);
    let proxy = &chain.url_maps[0].proxies[0];
    assert_eq!(proxy.name, sim::TARGET_HTTP_PROXY);
    let rule = &proxy.forwarding_rules[0];
    assert_eq!(rule.name, sim::FORWARDING_RULE);
    assert!(
        rule.ip_address
            .as_deref()
            .is_some_and(|ip| ip.starts_with("127."))
    );
    assert_eq!(rule.port_range.as_deref(), Some("80-80"));
    let backend = &chain.backends[0];
    assert_eq!(backend.capacity_scaler, 1.0);
    let group = backend.group.as_ref().expect("managed group found");
    assert_eq!(group.target_size, 3);
    assert_eq!(group.health.as_ref().map(Vec::len), Some(3));
    server.shutdown().await;
}

#[tokio::test]
async fn empty_simulator_has_nothing_and_says_not_found() {
    let server = sim::start(SimOptions {
        empty: true,
        timing: fast_timing(),
        ..SimOptions::default()
    })
    .await
    .expect("starts");
    let error = client(&server)
        .get_group(&seed_group())
        .await
        .expect_err("no group");
    match error {
        GceError::Api {
            code,
            reason,
            resource,
            ..
        } => {
            assert_eq!((code, reason.as_str()), (404, "notFound"));
            assert!(resource.contains(sim::GROUP));
        }
        other => panic!("expected notFound, got {other:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn simulator_refuses_non_loopback_addresses() {
    let options = SimOptions {
        listen: "0.0.0.0:0".parse().expect("address"),
        ..SimOptions::default()
    };
    assert!(sim::start(options).await.is_err());
}

#[test]
fn sim_args_flatten_into_a_host_command() {
    use clap::Parser;
    #[derive(Parser)]
    struct Host {
        #[command(flatten)]
        sim: sim::SimArgs,
    }
    let host = Host::parse_from([
        "host",
        "--listen",
        "127.0.0.1:8089",
        "--empty",
        "--fault-stockout",
        "--boot-delay",
        "1s",
    ]);
    let options = host.sim.options();
    assert_eq!(options.listen.port(), 8089);
    assert_eq!(options.project, "demo-project");
    assert_eq!(options.zone, "us-central1-a");
    assert!(options.empty && options.faults.stockout);
    assert_eq!(options.timing.boot_delay, std::time::Duration::from_secs(1));
}

#[tokio::test]
async fn regional_groups_resize_and_list_like_zonal_ones() {
    let server = start_sim(Faults::default()).await;
    let http = fulcrum_gce::build_http_client(std::time::Duration::from_secs(10)).expect("client");
    let insert = format!(
        "{}projects/demo-project/regions/us-central1/instanceGroupManagers",
        server.api_root()
    );
    let op: serde_json::Value = http
        .post(&insert)
        .json(&serde_json::json!({"name": "tf-train", "baseInstanceName": "tf-train", "targetSize": 1}))
        .send()
        .await
        .expect("insert sent")
        .json()
        .await
        .expect("operation");
    assert!(
        op["region"]
            .as_str()
            .is_some_and(|region| region.ends_with("/regions/us-central1"))
    );

    let client = client(&server);
    let group = fulcrum_gce::GroupRef::regional("us-central1", "tf-train");
    let change = GceActuator::new(client.clone())
        .set_target_size(&group, 2)
        .await
        .expect("regional resize");
    assert_eq!(change, SizeChange::Resized { from: 1, to: 2 });
    let state = read_group(&client, &group, None)
        .await
        .expect("regional group reads");
    assert_eq!(state.target_size, 2);
    assert!(
        state
            .instances
            .iter()
            .all(|i| i.url.contains("/zones/us-central1-a/instances/tf-train-"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn concurrent_resizes_leave_a_consistent_group() {
    let server = start_sim(Faults::default()).await;
    let client = client(&server);
    let tasks: Vec<_> = (1..=12u32)
        .map(|size| {
            let client = client.clone();
            tokio::spawn(async move { client.resize(&seed_group(), size).await })
        })
        .collect();
    for task in tasks {
        task.await.expect("task joins").expect("resize succeeds");
    }
    assert_eq!(server.stats().resizes, 12);
    let state = read_group(&client, &seed_group(), None)
        .await
        .expect("group reads");
    let live = state
        .instances
        .iter()
        .filter(|i| i.current_action != "DELETING")
        .count() as u32;
    assert_eq!(live, state.target_size);
    assert!((1..=12).contains(&state.target_size));
    server.shutdown().await;
}

#[tokio::test]
async fn autoscaled_groups_are_not_resized_by_hand() {
    let server = start_sim(Faults::default()).await;
    let http = fulcrum_gce::build_http_client(std::time::Duration::from_secs(10)).expect("client");
    let root = format!("{}projects/demo-project/", server.api_root());
    let post = |path: &str, body: serde_json::Value| {
        let request = http.post(format!("{root}{path}")).json(&body);
        async move { request.send().await.expect("sent").status() }
    };
    let group_link = "https://www.googleapis.com/compute/v1/projects/demo-project/zones/us-central1-a/instanceGroupManagers/tf-instance-group-manager";
    let status = post(
        "zones/us-central1-a/autoscalers",
        serde_json::json!({"name": "tf-as", "target": group_link, "autoscalingPolicy": {"maxNumReplicas": 8}}),
    )
    .await;
    assert!(status.is_success(), "{status}");

    let client = client(&server);
    let group = client.get_group(&seed_group()).await.expect("group");
    assert!(
        group
            .status
            .and_then(|s| s.autoscaler)
            .is_some_and(|a| a.ends_with("/autoscalers/tf-as"))
    );
    let refused = GceActuator::new(client.clone())
        .set_target_size(&seed_group(), 4)
        .await;
    assert!(
        matches!(refused, Err(GceError::Refused { .. })),
        "{refused:?}"
    );
    assert_eq!(server.stats().resizes, 0);

    let regional = "regions/us-central1/instanceGroupManagers";
    assert!(
        post(
            regional,
            serde_json::json!({"name": "tf-train", "targetSize": 1})
        )
        .await
        .is_success()
    );
    let regional_link =
        format!("https://www.googleapis.com/compute/v1/projects/demo-project/{regional}/tf-train");
    assert!(
        post(
            "regions/us-central1/autoscalers",
            serde_json::json!({"name": "tf-train-as", "target": regional_link})
        )
        .await
        .is_success()
    );
    let error = client
        .resize(
            &fulcrum_gce::GroupRef::regional("us-central1", "tf-train"),
            3,
        )
        .await
        .expect_err("Google refuses");
    assert_eq!(error.http_status(), Some(412));
    assert!(error.to_string().contains("conditionNotMet"), "{error}");
    server.shutdown().await;
}
