//! Credentials and the iControl REST token: basic auth on every request, or a token from
//! `/mgmt/shared/authn/login` that is renewed before it runs out and fetched again after a 401.

use std::fmt;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// A user name and password. The password never appears in `Debug` output.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    /// BIG-IP user, e.g. `admin`.
    pub username: String,
    /// That user's password.
    password: String,
}

impl Credentials {
    /// Credentials for `username`.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }

    pub(crate) fn password(&self) -> &str {
        &self.password
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// How requests authenticate.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AuthMode {
    /// `Authorization: Basic` on every request (local users only).
    Basic,
    /// `X-F5-Auth-Token` from a login with this provider (`tmos` unless the box uses RADIUS, LDAP…).
    Token {
        /// `loginProviderName` sent at login.
        login_provider: String,
    },
}

impl AuthMode {
    /// Token auth with the `tmos` login provider.
    pub fn token() -> AuthMode {
        AuthMode::Token {
            login_provider: "tmos".to_owned(),
        }
    }
}

/// A live token: the value, and when to stop using it.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: String,
    pub(crate) renew_at: Instant,
}

/// How long before a token runs out the client logs in again.
const RENEW_MARGIN: Duration = Duration::from_secs(10);

impl Token {
    pub(crate) fn new(value: String, timeout_secs: u64, now: Instant) -> Token {
        let lifetime = Duration::from_secs(timeout_secs).saturating_sub(RENEW_MARGIN);
        Token {
            value,
            renew_at: now + lifetime,
        }
    }

    pub(crate) fn is_fresh(&self, now: Instant) -> bool {
        now < self.renew_at
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("renew_at", &self.renew_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let debug = format!("{:?}", Credentials::new("admin", "s3cret-pass"));
        assert!(
            debug.contains("admin") && !debug.contains("s3cret-pass"),
            "{debug}"
        );
        let token = Token::new("TCJMWPGBQGPZPJYUCY57J2IITA".into(), 1200, Instant::now());
        assert!(!format!("{token:?}").contains("TCJMWPGBQGPZPJYUCY57J2IITA"));
    }

    #[test]
    fn tokens_are_renewed_before_they_expire() {
        let now = Instant::now();
        let token = Token::new("T".into(), 1200, now);
        assert!(token.is_fresh(now + Duration::from_secs(1189)));
        assert!(!token.is_fresh(now + Duration::from_secs(1191)));
    }
}
