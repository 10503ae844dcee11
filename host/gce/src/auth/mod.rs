//! Access tokens for Compute v1: where they come from and how long they are reused.
//!
//! Four sources: a service-account key (a signed RS256 JWT exchanged at the key's
//! `token_uri`), the GCE metadata server, a pre-minted token in an environment
//! variable, and none at all (for simulators). [`Authenticator`] caches the token
//! and fetches a new one [`REFRESH_MARGIN`] before it expires. Tokens and keys
//! never appear in `Debug` output, logs or errors.

mod metadata;
mod service_account;
mod static_token;

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

pub use metadata::{DEFAULT_METADATA_HOST, MetadataServer};
pub use service_account::{ServiceAccount, ServiceAccountKey};
pub use static_token::StaticToken;

/// The scope Fulcrum asks for: read and write Compute resources.
pub const COMPUTE_SCOPE: &str = "https://www.googleapis.com/auth/compute";

/// A cached token is replaced this long before Google says it expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Where access tokens come from; see the module docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthConfig {
    /// A service-account JSON key file; `token_uri` overrides the key's own.
    ServiceAccountKeyFile {
        /// The key file's path.
        path: PathBuf,
        /// Overrides the key's `token_uri` (for simulators).
        token_uri: Option<String>,
    },
    /// The metadata server at `host` (`host:port`, e.g. `metadata.google.internal`).
    MetadataServer {
        /// `host:port` of the metadata server.
        host: String,
    },
    /// A pre-minted access token read from the environment variable `var`.
    StaticTokenFromEnv {
        /// The environment variable holding the token.
        var: String,
    },
    /// No `Authorization` header; only for simulators.
    Anonymous,
}

/// Why no token could be had.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("cannot read service-account key {path}: {source}")]
    /// The key file could not be read.
    ReadKey {
        /// The key file's path.
        path: PathBuf,
        #[source]
        /// Why it could not be read.
        source: std::io::Error,
    },
    #[error("service-account key is not valid JSON of type service_account: {0}")]
    /// The key file is not a service-account key.
    ParseKey(#[source] serde_json::Error),
    #[error("cannot sign the token request JWT with the service-account key {key_id}: {source}")]
    /// The JWT could not be signed with the key.
    SignJwt {
        /// The key's `private_key_id`.
        key_id: String,
        #[source]
        /// Why signing failed.
        source: jsonwebtoken::errors::Error,
    },
    #[error("environment variable {var} holding the access token is unset or empty")]
    /// The environment variable holding the token is unset or empty.
    MissingEnvToken {
        /// The environment variable.
        var: String,
    },
    #[error("token request to {endpoint} failed: {source}")]
    /// The token request got no HTTP answer.
    Request {
        /// The token endpoint asked.
        endpoint: String,
        #[source]
        /// The transport error.
        source: reqwest::Error,
    },
    #[error("token endpoint {endpoint} answered {status}: {detail}")]
    /// The token endpoint refused.
    Rejected {
        /// The token endpoint asked.
        endpoint: String,
        /// The HTTP status it answered.
        status: u16,
        /// The body the endpoint answered with.
        detail: String,
    },
}

/// A bearer token; its value is kept out of `Debug` and `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The token itself, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// A token and how long it lives, as a source hands it over.
#[derive(Debug)]
struct FetchedToken {
    token: AccessToken,
    /// `None` for tokens that never expire as far as Fulcrum can tell.
    expires_in: Option<Duration>,
}

/// The JSON answer of Google's token endpoints and of the metadata server.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

impl From<TokenResponse> for FetchedToken {
    fn from(response: TokenResponse) -> Self {
        Self {
            token: AccessToken(response.access_token),
            expires_in: response.expires_in.map(Duration::from_secs),
        }
    }
}

/// Reads a token endpoint's answer, keeping the body out of errors on success
/// and out of errors entirely when it could hold a token.
async fn read_token_response(
    endpoint: &str,
    response: Result<reqwest::Response, reqwest::Error>,
) -> Result<FetchedToken, AuthError> {
    let request_error = |source| AuthError::Request {
        endpoint: endpoint.to_owned(),
        source,
    };
    let response = response.map_err(request_error)?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(AuthError::Rejected {
            endpoint: endpoint.to_owned(),
            status: status.as_u16(),
            detail: body.chars().take(300).collect(),
        });
    }
    let parsed: TokenResponse = response.json().await.map_err(request_error)?;
    Ok(parsed.into())
}

enum TokenSource {
    ServiceAccount(ServiceAccount),
    Metadata(MetadataServer),
    Static(StaticToken),
    Anonymous,
}

struct CachedToken {
    token: AccessToken,
    refresh_at: Option<Instant>,
}

/// Hands out access tokens, fetching and caching them as needed.
pub struct Authenticator {
    source: TokenSource,
    http: reqwest::Client,
    cache: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.source {
            TokenSource::ServiceAccount(account) => format!("service account {}", account.email()),
            TokenSource::Metadata(server) => format!("metadata server {}", server.host()),
            TokenSource::Static(_) => "static token".to_owned(),
            TokenSource::Anonymous => "anonymous".to_owned(),
        };
        f.debug_struct("Authenticator")
            .field("source", &kind)
            .finish()
    }
}

impl Authenticator {
    /// Builds the source `config` names; files and variables are read now, so a
    /// missing key or token fails at startup rather than at the first request.
    pub fn new(config: &AuthConfig, http: reqwest::Client) -> Result<Self, AuthError> {
        let source = match config {
            AuthConfig::ServiceAccountKeyFile { path, token_uri } => {
                let mut key = ServiceAccountKey::from_file(path)?;
                if let Some(uri) = token_uri {
                    key.token_uri = uri.clone();
                }
                TokenSource::ServiceAccount(ServiceAccount::new(key))
            }
            AuthConfig::MetadataServer { host } => {
                TokenSource::Metadata(MetadataServer::new(host.clone()))
            }
            AuthConfig::StaticTokenFromEnv { var } => {
                TokenSource::Static(StaticToken::from_env(var)?)
            }
            AuthConfig::Anonymous => TokenSource::Anonymous,
        };
        Ok(Self {
            source,
            http,
            cache: Mutex::new(None),
        })
    }

    /// An authenticator for an already parsed service-account key.
    pub fn for_service_account(key: ServiceAccountKey, http: reqwest::Client) -> Self {
        Self {
            source: TokenSource::ServiceAccount(ServiceAccount::new(key)),
            http,
            cache: Mutex::new(None),
        }
    }

    /// The token to send, or `None` when anonymous. A cached token is reused
    /// until [`REFRESH_MARGIN`] before its expiry.
    pub async fn token(&self) -> Result<Option<AccessToken>, AuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && cached.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(Some(cached.token.clone()));
        }
        let fetched = match &self.source {
            TokenSource::ServiceAccount(account) => account.fetch(&self.http).await?,
            TokenSource::Metadata(server) => server.fetch(&self.http).await?,
            TokenSource::Static(token) => token.fetch(),
            TokenSource::Anonymous => return Ok(None),
        };
        let refresh_at = fetched
            .expires_in
            .map(|lifetime| Instant::now() + lifetime.saturating_sub(REFRESH_MARGIN));
        tracing::debug!(
            message = "fetched access token",
            source = ?self,
            expires_in_s = fetched.expires_in.map(|d| d.as_secs())
        );
        let token = fetched.token.clone();
        *cache = Some(CachedToken {
            token: fetched.token,
            refresh_at,
        });
        Ok(Some(token))
    }
}
