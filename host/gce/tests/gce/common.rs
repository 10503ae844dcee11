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
