//! Auth flows against the simulator's token endpoints, token caching, and
//! keeping secrets out of Debug output.

use std::io::Write;

use fulcrum_gce::auth::{AccessToken, ServiceAccountKey};
use fulcrum_gce::sim::{self, Faults, SimOptions, SimServer};
use fulcrum_gce::{AuthConfig, AuthError, Authenticator, GceClient, build_http_client};

use crate::common::{client_with, fast_timing, seed_group, start_sim};

const TEST_KEY: &str = include_str!("data/test-only-rsa-key.pem");

fn key_json(token_uri: &str) -> String {
    serde_json::json!({
        "type": "service_account",
        "project_id": "demo-project",
        "private_key_id": "0123456789abcdef",
        "private_key": TEST_KEY,
        "client_email": "fulcrum@demo-project.iam.gserviceaccount.com",
        "client_id": "1",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    })
    .to_string()
}

fn key_file(token_uri: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(key_json(token_uri).as_bytes())
        .expect("write key");
    file
}

async fn two_reads(client: &GceClient) {
    for _ in 0..2 {
        client
            .get_group(&seed_group())
            .await
            .expect("authorized read");
    }
}

#[tokio::test]
async fn service_account_key_is_exchanged_once_and_cached() {
    let server = start_sim(Faults::default()).await;
    let file = key_file(&server.token_uri());
    let client = client_with(
        &server,
        &AuthConfig::ServiceAccountKeyFile {
            path: file.path().to_owned(),
            token_uri: None,
        },
    );
    two_reads(&client).await;
    let stats = server.stats();
    assert_eq!(stats.service_account_tokens, 1);
    assert_eq!(stats.bearer_requests, 2);
    server.shutdown().await;
}

async fn short_lived_tokens_sim() -> SimServer {
    let mut timing = fast_timing();
    timing.token_lifetime = std::time::Duration::from_secs(30);
    sim::start(SimOptions {
        timing,
        ..SimOptions::default()
    })
    .await
    .expect("starts")
}

#[tokio::test]
async fn tokens_expiring_within_the_margin_are_refreshed() {
    let server = short_lived_tokens_sim().await;
    let file = key_file("http://127.0.0.1:9/unused");
    let client = client_with(
        &server,
        &AuthConfig::ServiceAccountKeyFile {
            path: file.path().to_owned(),
            token_uri: Some(server.token_uri()),
        },
    );
    two_reads(&client).await;
    assert_eq!(server.stats().service_account_tokens, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn metadata_server_tokens_are_fetched_with_the_flavor_header() {
    let server = short_lived_tokens_sim().await;
    let client = client_with(
        &server,
        &AuthConfig::MetadataServer {
            host: server.metadata_host(),
        },
    );
    two_reads(&client).await;
    let stats = server.stats();
    assert_eq!(stats.metadata_tokens, 2);
    assert_eq!(stats.bearer_requests, 2);
    server.shutdown().await;
}

#[tokio::test]
async fn static_token_comes_from_the_environment() {
    let server = start_sim(Faults::default()).await;
    // Cargo sets CARGO_PKG_NAME for test processes; any present variable will do,
    // and reading one avoids mutating the environment of a threaded process.
    let client = client_with(
        &server,
        &AuthConfig::StaticTokenFromEnv {
            var: "CARGO_PKG_NAME".to_owned(),
        },
    );
    two_reads(&client).await;
    assert_eq!(server.stats().bearer_requests, 2);

    let http = build_http_client(std::time::Duration::from_secs(5)).expect("client");
    let missing = Authenticator::new(
        &AuthConfig::StaticTokenFromEnv {
            var: "FULCRUM_GCE_TEST_UNSET_TOKEN".to_owned(),
        },
        http,
    );
    match missing {
        Err(AuthError::MissingEnvToken { var }) => assert_eq!(var, "FULCRUM_GCE_TEST_UNSET_TOKEN"),
        other => panic!("expected a missing-token error, got {other:?}"),
    }
    server.shutdown().await;
}

#[tokio::test]
async fn rejected_exchange_names_the_endpoint_without_secrets() {
    let server = start_sim(Faults::default()).await;
    let mut key = ServiceAccountKey::from_json(&key_json(&format!(
        "http://{}/not-a-token-endpoint",
        server.addr()
    )))
    .expect("key parses");
    key.token_uri = format!(
        "http://{}/computeMetadata/v1/instance/service-accounts/default/token",
        server.addr()
    );
    let http = build_http_client(std::time::Duration::from_secs(5)).expect("client");
    let auth = Authenticator::for_service_account(key, http);
    let error = auth
        .token()
        .await
        .expect_err("the metadata path refuses a JWT exchange");
    let text = error.to_string();
    assert!(text.contains("/computeMetadata/"), "{text}");
    assert!(!text.contains("PRIVATE KEY"), "{text}");
    server.shutdown().await;
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let key =
        ServiceAccountKey::from_json(&key_json("http://127.0.0.1:9/token")).expect("key parses");
    let shown = format!("{key:?}");
    assert!(
        !shown.contains("PRIVATE KEY") && shown.contains("<redacted>"),
        "{shown}"
    );
    let token = AccessToken::new("ya29.secret-value");
    assert!(!format!("{token:?}").contains("secret-value"));
}

#[test]
fn keys_of_other_types_are_refused() {
    let text = key_json("http://127.0.0.1:9/token").replace("service_account", "authorized_user");
    assert!(matches!(
        ServiceAccountKey::from_json(&text),
        Err(AuthError::ParseKey(_))
    ));
}
