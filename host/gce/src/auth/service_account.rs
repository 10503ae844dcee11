//! Service-account keys: an RS256 JWT signed with the key, exchanged at the key's
//! `token_uri` for an access token (Google's JWT-bearer grant).

use std::fmt;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::{AuthError, COMPUTE_SCOPE, FetchedToken, read_token_response};

/// The JWT-bearer grant type of the token exchange.
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Lifetime asked for in the JWT; Google allows at most one hour.
const ASSERTION_LIFETIME_SECS: u64 = 3600 - 5;

/// The fields of a service-account JSON key that the exchange needs.
#[derive(Clone, Deserialize)]
pub struct ServiceAccountKey {
    /// Must be `service_account`.
    #[serde(rename = "type")]
    pub key_type: String,
    /// The service account's email; the JWT's issuer.
    pub client_email: String,
    /// The key id; the JWT header's `kid`.
    pub private_key_id: String,
    /// PKCS#8 PEM; never printed.
    pub private_key: String,
    /// Where the JWT is exchanged, normally `https://oauth2.googleapis.com/token`.
    pub token_uri: String,
    #[serde(default)]
    /// The project the key belongs to.
    pub project_id: Option<String>,
}

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("private_key", &"<redacted>")
            .field("token_uri", &self.token_uri)
            .finish()
    }
}

impl ServiceAccountKey {
    /// Parses a key from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, AuthError> {
        let key: Self = serde_json::from_str(text).map_err(AuthError::ParseKey)?;
        if key.key_type != "service_account" {
            return Err(AuthError::ParseKey(serde::de::Error::custom(format!(
                "type is {:?}, expected \"service_account\"",
                key.key_type
            ))));
        }
        Ok(key)
    }

    /// Reads and parses a key file.
    pub fn from_file(path: &Path) -> Result<Self, AuthError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuthError::ReadKey {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
}

/// The service-account flow for one key.
pub struct ServiceAccount {
    key: ServiceAccountKey,
}

impl ServiceAccount {
    pub(super) fn new(key: ServiceAccountKey) -> Self {
        Self { key }
    }

    pub(super) fn email(&self) -> &str {
        &self.key.client_email
    }

    /// The signed assertion: header `{alg: RS256, typ: JWT, kid}`, claims
    /// `iss`, `scope`, `aud` (= token_uri), `iat`, `exp`.
    fn assertion(&self) -> Result<String, AuthError> {
        let sign_error = |source| AuthError::SignJwt {
            key_id: self.key.private_key_id.clone(),
            source,
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_secs());
        let claims = Claims {
            iss: &self.key.client_email,
            scope: COMPUTE_SCOPE,
            aud: &self.key.token_uri,
            iat: now,
            exp: now + ASSERTION_LIFETIME_SECS,
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key.private_key_id.clone());
        let signing_key =
            EncodingKey::from_rsa_pem(self.key.private_key.as_bytes()).map_err(sign_error)?;
        jsonwebtoken::encode(&header, &claims, &signing_key).map_err(sign_error)
    }

    pub(super) async fn fetch(&self, http: &reqwest::Client) -> Result<FetchedToken, AuthError> {
        let assertion = self.assertion()?;
        let response = http
            .post(&self.key.token_uri)
            .form(&[("grant_type", JWT_BEARER_GRANT), ("assertion", &assertion)])
            .send()
            .await;
        read_token_response(&self.key.token_uri, response).await
    }
}
