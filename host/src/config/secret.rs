//! [`Secret`]: a password or token read from an environment variable or a
//! file when the configuration loads. Configuration files never hold secrets
//! inline, and neither `Debug` nor any error shows a secret's value — only
//! where it was to be read from.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};

/// Where a secret comes from, as written: `{ env = "BIGIP_PASSWORD" }` or
/// `{ file = "/run/secrets/bigip" }` (its content, trailing newline dropped).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(super) enum SecretSource {
    Env(String),
    File(PathBuf),
}

/// Why a secret could not be read; names the variable or file, never a value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("environment variable {name} is not set")]
    EnvUnset { name: String },
    #[error("environment variable {name} is empty")]
    EnvEmpty { name: String },
    #[error("cannot read {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is empty", path.display())]
    FileEmpty { path: PathBuf },
}

/// A secret's value. `Debug` shows where it came from, never the value.
#[derive(Clone)]
pub struct Secret {
    from: String,
    value: String,
}

impl Resolve for SecretSource {
    /// `None` when the secret cannot be read.
    type Output = Option<Secret>;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> Option<Secret> {
        self.read(|path| cx.path(path))
            .map_err(|err| problems.push(cx.here("", err)))
            .ok()
    }
}

impl SecretSource {
    /// Read the secret; `locate` turns a file as written into its path.
    fn read(self, locate: impl FnOnce(&Path) -> PathBuf) -> Result<Secret, SecretError> {
        match self {
            SecretSource::Env(name) => match std::env::var(&name) {
                Ok(value) if !value.is_empty() => Ok(Secret {
                    from: format!("environment variable {name}"),
                    value,
                }),
                Ok(_) => Err(SecretError::EnvEmpty { name }),
                Err(_) => Err(SecretError::EnvUnset { name }),
            },
            SecretSource::File(path) => {
                let path = locate(&path);
                let text = match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(source) => return Err(SecretError::Unreadable { path, source }),
                };
                let value = text.trim_end_matches(['\r', '\n']).to_owned();
                if value.is_empty() {
                    return Err(SecretError::FileEmpty { path });
                }
                Ok(Secret {
                    from: format!("file {}", path.display()),
                    value,
                })
            }
        }
    }
}

impl Secret {
    /// A secret given directly (the embedded demo's simulator password).
    pub fn inline(what: &str, value: impl Into<String>) -> Secret {
        Secret {
            from: what.to_owned(),
            value: value.into(),
        }
    }

    /// The value, for handing to the client that sends it.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(from {})", self.from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_errors_never_show_the_value() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "hunter2\n").unwrap();
        let in_dir = |path: &Path| dir.path().join(path);
        let secret = SecretSource::File("pw".into()).read(in_dir).unwrap();
        assert_eq!(secret.expose(), "hunter2");
        let shown = format!("{secret:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("pw"),
            "{shown}"
        );
        let err = SecretSource::Env("FULCRUM_TEST_SURELY_UNSET".into())
            .read(in_dir)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable FULCRUM_TEST_SURELY_UNSET is not set"
        );
    }

    #[test]
    fn an_unreadable_file_keeps_its_cause() {
        let dir = tempfile::tempdir().unwrap();
        let err = SecretSource::File("absent".into())
            .read(|path| dir.path().join(path))
            .unwrap_err();
        let SecretError::Unreadable { path, source } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(path, &dir.path().join("absent"));
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        assert!(std::error::Error::source(&err).is_some());
    }
}
