//! End-to-end tests of the client, actuator, source and topology against the simulator, the
//! recorded device fixtures, the built-in network and system collections, and the `bigrest`
//! Python client driving the simulator.

mod bigrest;
mod catalog;
mod cycles;
mod fixtures;

use fulcrum_bigip::sim::{self, RunningSim, SimOptions};
use fulcrum_bigip::{AuthMode, Client, ClientConfig, Credentials, RetryPolicy, TlsOptions};

/// A simulator with the seed topology and a client that verifies its certificate.
async fn sim_and_client(options: SimOptions, auth: AuthMode) -> (RunningSim, Client) {
    let running = sim::start(options).await.expect("simulator starts");
    let client = Client::new(ClientConfig {
        auth,
        tls: TlsOptions::CustomCa {
            pem: running.ca_pem().to_owned(),
        },
        retry: RetryPolicy {
            attempts: 3,
            initial_backoff_ms: 5,
            max_backoff_ms: 20,
        },
        ..ClientConfig::new(running.base_url(), Credentials::new("admin", "admin"))
    })
    .expect("client builds");
    (running, client)
}
