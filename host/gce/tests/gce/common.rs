//! Shared setup: a fast simulator and a client pointed at it.

use std::sync::Arc;
use std::time::Duration;

use fulcrum_gce::sim::{self, Faults, SimOptions, SimServer, Timing};
use fulcrum_gce::{
    AuthConfig, Authenticator, BackendServiceRef, ClientConfig, GceClient, GroupRef, RetryPolicy,
    build_http_client,
};

pub const PROJECT: &str = "demo-project";
pub const ZONE: &str = "us-central1-a";

/// Simulator timing for tests: quick boots and operations.
pub fn fast_timing() -> Timing {
    Timing {
        boot_delay: Duration::from_millis(300),
        operation_delay: Duration::from_millis(60),
        wait_deadline: Duration::from_secs(2),
        token_lifetime: Duration::from_secs(3600),
    }
}

/// Starts a seeded simulator with test timing and `faults`.
pub async fn start_sim(faults: Faults) -> SimServer {
    sim::start(SimOptions {
        timing: fast_timing(),
        faults,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts on loopback")
}

/// Retries quickly so fault tests stay short, with the production rules.
pub fn quick_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(20),
    }
}

/// A client for `server` using `auth`.
pub fn client_with(server: &SimServer, auth: &AuthConfig) -> GceClient {
    let http = build_http_client(Duration::from_secs(10)).expect("HTTP client builds");
    let authenticator = Authenticator::new(auth, http.clone()).expect("auth configures");
    let mut config = ClientConfig::new(PROJECT);
    config.api_root = server.api_root();
    config.retry = quick_retry();
    config.operation_timeout = Duration::from_secs(10);
    GceClient::new(config, Arc::new(authenticator), http)
}

/// An anonymous client for `server`.
pub fn client(server: &SimServer) -> GceClient {
    client_with(server, &AuthConfig::Anonymous)
}

/// The seeded group.
pub fn seed_group() -> GroupRef {
    GroupRef::zonal(ZONE, sim::GROUP)
}

/// The seeded backend service.
pub fn seed_service() -> BackendServiceRef {
    BackendServiceRef::global(sim::BACKEND_SERVICE)
}

/// Polls `check` every 50 ms, at most `polls` times, until it returns `Some`.
pub async fn eventually<T, F, Fut>(polls: u32, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..polls {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("condition not reached after {polls} polls");
}

/// Sends `method` to `path` (under the project) with an optional JSON body;
/// returns the status and the JSON answer.
pub async fn request(
    server: &SimServer,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let http = build_http_client(Duration::from_secs(10)).expect("HTTP client builds");
    let mut request = http.request(
        method,
        format!("{}projects/{PROJECT}/{path}", server.api_root()),
    );
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON answer"))
}

/// GETs `path` (under the project), which must succeed.
pub async fn get(server: &SimServer, path: &str) -> serde_json::Value {
    let (status, body) = request(server, reqwest::Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// POSTs `body` to `path` (under the project), which must start an
/// Operation, and waits for it to end without error.
pub async fn mutate(server: &SimServer, path: &str, body: serde_json::Value) {
    let (status, op) = request(server, reqwest::Method::POST, path, Some(body)).await;
    assert_eq!(status, 200, "{path}: {op}");
    let location = |key: &str| {
        let link = op[key].as_str()?;
        Some(format!(
            "{key}s/{}",
            link.rsplit('/').next().unwrap_or_default()
        ))
    };
    let scope = location("zone")
        .or_else(|| location("region"))
        .unwrap_or_else(|| "global".to_owned());
    let name = op["name"].as_str().expect("an Operation").to_owned();
    let done = eventually(100, || async {
        let op = get(server, &format!("{scope}/operations/{name}")).await;
        (op["status"] == "DONE").then_some(op)
    })
    .await;
    assert!(done.get("error").is_none(), "{path}: {done}");
}
