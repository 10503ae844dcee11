//! Loopback stand-ins for Google's token endpoints: the OAuth token URI that
//! exchanges a service-account JWT (`POST /token`) and the metadata server's
//! token and project-id paths. JWTs are decoded and checked for shape, not
//! signature.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::routes::{Shared, google_json, lock};

/// The grant type service-account exchanges use.
const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        google_json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// The claims of an unverified JWT, if it has three parts and a JSON payload.
fn jwt_claims(assertion: &str) -> Option<Value> {
    let mut parts = assertion.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `POST /token`: the JWT-bearer grant.
pub async fn exchange_jwt(
    State(shared): State<Shared>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("grant_type").map(String::as_str) != Some(JWT_BEARER_GRANT) {
        return oauth_error("unsupported_grant_type", "Invalid grant_type");
    }
    let Some(claims) = form.get("assertion").and_then(|a| jwt_claims(a)) else {
        return oauth_error("invalid_grant", "Invalid JWT: not a signed token");
    };
    for claim in ["iss", "aud", "scope", "iat", "exp"] {
        if claims.get(claim).is_none() {
            return oauth_error(
                "invalid_grant",
                &format!("Invalid JWT: missing claim {claim}"),
            );
        }
    }
    let mut state = lock(&shared);
    state.stats.service_account_tokens += 1;
    let token = format!("sim-sa-token-{}", state.stats.service_account_tokens);
    let lifetime = state.timing.token_lifetime.as_secs();
    google_json(json!({"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}))
        .into_response()
}

/// `GET /computeMetadata/v1/instance/service-accounts/default/token`.
pub async fn metadata_token(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    if headers.get("metadata-flavor").and_then(|v| v.to_str().ok()) != Some("Google") {
        return (
            StatusCode::FORBIDDEN,
            "Missing Metadata-Flavor:Google header.",
        )
            .into_response();
    }
    let mut state = lock(&shared);
    state.stats.metadata_tokens += 1;
    let token = format!("sim-metadata-token-{}", state.stats.metadata_tokens);
    let lifetime = state.timing.token_lifetime.as_secs();
    google_json(json!({"access_token": token, "expires_in": lifetime, "token_type": "Bearer"}))
        .into_response()
}
