//! The GCE metadata server's token endpoint, at a configurable host so tests can
//! point it at a loopback simulator.

use super::{AuthError, FetchedToken, read_token_response};

/// Where the metadata server answers inside GCE.
pub const DEFAULT_METADATA_HOST: &str = "metadata.google.internal";

/// The path of the default service account's token.
pub const METADATA_TOKEN_PATH: &str = "/computeMetadata/v1/instance/service-accounts/default/token";

/// The metadata-server flow.
pub struct MetadataServer {
    host: String,
}

impl MetadataServer {
    /// `host` is `host[:port]`, reached over plain HTTP as inside GCE.
    pub fn new(host: String) -> Self {
        Self { host }
    }

    pub(super) fn host(&self) -> &str {
        &self.host
    }

    pub(super) async fn fetch(&self, http: &reqwest::Client) -> Result<FetchedToken, AuthError> {
        let endpoint = format!("http://{}{METADATA_TOKEN_PATH}", self.host);
        let response = http
            .get(&endpoint)
            .header("Metadata-Flavor", "Google")
            .send()
            .await;
        read_token_response(&endpoint, response).await
    }
}
