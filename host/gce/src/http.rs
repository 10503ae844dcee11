//! The HTTP client shared by auth and the Compute client: rustls with the `ring`
//! provider, verifying servers against the platform's trust roots.

use std::sync::Arc;
use std::time::Duration;

use rustls_platform_verifier::BuilderVerifierExt;

/// Why the HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum HttpClientError {
    /// The TLS configuration (protocol versions or platform roots) failed.
    #[error("cannot configure TLS for Google endpoints: {0}")]
    Tls(#[from] rustls::Error),
    /// reqwest refused the configuration.
    #[error("cannot build the HTTP client: {0}")]
    Build(#[from] reqwest::Error),
}

/// Builds a client for Google endpoints (HTTPS) and loopback simulators (HTTP).
///
/// `timeout` bounds each request, including the Operation `wait` calls, which
/// Google holds open for up to two minutes.
pub fn build_http_client(timeout: Duration) -> Result<reqwest::Client, HttpClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .user_agent(concat!("fulcrum-gce/", env!("CARGO_PKG_VERSION")))
        .build()?)
}
