//! A pre-minted access token taken from an environment variable; it is never
//! refreshed, so whoever minted it keeps it current.

use super::{AccessToken, AuthError, FetchedToken};

/// A token read once from the environment.
pub struct StaticToken {
    token: AccessToken,
}

impl StaticToken {
    /// Reads `var`; unset or empty is an error.
    pub fn from_env(var: &str) -> Result<Self, AuthError> {
        match std::env::var(var) {
            Ok(value) if !value.trim().is_empty() => Ok(Self {
                token: AccessToken::new(value.trim()),
            }),
            _ => Err(AuthError::MissingEnvToken {
                var: var.to_owned(),
            }),
        }
    }

    pub(super) fn fetch(&self) -> FetchedToken {
        FetchedToken {
            token: self.token.clone(),
            expires_in: None,
        }
    }
}
