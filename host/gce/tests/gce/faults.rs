//! Injected faults: retried within bounds, recovered, or reported clearly.

use fulcrum_gce::sim::Faults;
use fulcrum_gce::{GceActuator, GceError, InstanceErrorKind, ScalerChange, read_group};

use crate::common::{client, eventually, seed_group, seed_service, start_sim};

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_within_bounds() {
    let server = start_sim(Faults {
        rate_limited: 1,
        too_many_requests: 1,
        server_errors: 2,
        ..Faults::default()
    })
    .await;
    let client = client(&server);
    let group = client
        .get_group(&seed_group())
        .await
        .expect("succeeds after four retried faults");
    assert_eq!(group.target_size, 3);
    let stats = server.stats();
    assert_eq!(stats.injected_faults, 4);
    assert_eq!(stats.compute_requests, 5);
    server.shutdown().await;
}

#[tokio::test]
async fn persistent_server_errors_give_up_after_the_policy_attempts() {
    let server = start_sim(Faults {
        server_errors: 50,
        ..Faults::default()
    })
    .await;
    let client = client(&server);
    let error = client.get_group(&seed_group()).await.expect_err("gives up");
    match &error {
        GceError::RetriesExhausted { attempts, last, .. } => {
            assert_eq!(*attempts, 5);
            assert_eq!(last.http_status(), Some(503));
        }
        other => panic!("expected exhausted retries, got {other:?}"),
    }
    assert_eq!(server.stats().compute_requests, 5);
    server.shutdown().await;
}

#[tokio::test]
async fn repeated_request_id_returns_the_original_operation_and_resizes_once() {
    let server = start_sim(Faults::default()).await;
    let http = fulcrum_gce::build_http_client(std::time::Duration::from_secs(10)).expect("client");
    let url = format!(
        "{}projects/demo-project/zones/us-central1-a/instanceGroupManagers/tf-instance-group-manager/resize?size=4&requestId=6ba7b810-9dad-11d1-80b4-00c04fd430c8&alt=json",
        server.api_root()
    );
    let mut names = Vec::new();
    for _ in 0..2 {
        let op: serde_json::Value = http
            .post(&url)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(
            op["clientOperationId"],
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
        );
        names.push(op["name"].as_str().expect("name").to_owned());
    }
    assert_eq!(names[0], names[1]);
    assert_eq!(server.stats().resizes, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn stale_fingerprint_is_recovered_by_re_reading() {
    let server = start_sim(Faults {
        stale_fingerprints: 2,
        ..Faults::default()
    })
    .await;
    let client = client(&server);
    let group_url = client
        .get_group(&seed_group())
        .await
        .expect("group")
        .instance_group
        .expect("url");
    let change = GceActuator::new(client.clone())
        .set_capacity_scaler(&seed_service(), &group_url, 0.3)
        .await
        .expect("patch succeeds after conflicts");
    assert_eq!(
        change,
        ScalerChange::Patched {
            from: 1.0,
            to: 0.3,
            conflicts: 2
        }
    );
    let stats = server.stats();
    assert_eq!(stats.fingerprint_conflicts, 2);
    assert_eq!(stats.backend_service_writes, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn endless_conflicts_stop_after_the_bound() {
    let server = start_sim(Faults {
        stale_fingerprints: 100,
        ..Faults::default()
    })
    .await;
    let client = client(&server);
    let group_url = client
        .get_group(&seed_group())
        .await
        .expect("group")
        .instance_group
        .expect("url");
    let error = GceActuator::new(client)
        .set_capacity_scaler(&seed_service(), &group_url, 0.3)
        .await
        .expect_err("gives up");
    assert_eq!(error.http_status(), Some(412));
    assert_eq!(server.stats().fingerprint_conflicts, 4);
    server.shutdown().await;
}

#[tokio::test]
async fn failed_operation_is_an_error_with_googles_code() {
    let server = start_sim(Faults {
        failed_operations: 1,
        ..Faults::default()
    })
    .await;
    let client = client(&server);
    let error = client
        .resize(&seed_group(), 6)
        .await
        .expect_err("operation fails");
    match &error {
        GceError::OperationFailed {
            errors,
            http_status,
            ..
        } => {
            assert_eq!(errors[0].code, "QUOTA_EXCEEDED");
            assert_eq!(*http_status, Some(403));
        }
        other => panic!("expected a failed operation, got {other:?}"),
    }
    assert_eq!(
        client
            .get_group(&seed_group())
            .await
            .expect("group")
            .target_size,
        3
    );
    server.shutdown().await;
}

#[tokio::test]
async fn stockout_shows_per_instance_errors_and_does_not_loop_resizes() {
    let server = start_sim(Faults {
        stockout: true,
        ..Faults::default()
    })
    .await;
    let client = client(&server);
    let actuator = GceActuator::new(client.clone());
    for _ in 0..3 {
        actuator
            .set_target_size(&seed_group(), 5)
            .await
            .expect("resize is accepted");
    }
    assert_eq!(
        server.stats().resizes,
        1,
        "repeated decisions send one resize"
    );

    let state = read_group(&client, &seed_group(), Some(&seed_service()))
        .await
        .expect("group reads");
    assert_eq!(state.target_size, 5);
    assert_eq!(state.creating, 2);
    let failing: Vec<_> = state.failing_instances().collect();
    assert_eq!(failing.len(), 2);
    for instance in failing {
        let error = instance.last_error.as_ref().expect("error");
        assert_eq!(error.kind, InstanceErrorKind::Stockout);
        assert_eq!(error.code, "ZONE_RESOURCE_POOL_EXHAUSTED");
        assert!(error.message.contains("us-central1-a"));
        assert_eq!(instance.status, None);
        assert_eq!(instance.current_action, "CREATING");
    }

    server.set_faults(Faults::default());
    let recovered = eventually(100, || async {
        let state = read_group(&client, &seed_group(), None).await.ok()?;
        (state.running == 5).then_some(state)
    })
    .await;
    assert_eq!(recovered.failing_instances().count(), 0);
    server.shutdown().await;
}
