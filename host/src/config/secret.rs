//! [`Secret`]: a password or token read from an environment variable or a
//! file when the configuration loads. Configuration files never hold secrets
//! inline, and neither `Debug` nor any error shows a secret's value — only
//! where it was to be read from.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where a secret comes from, as written: `{ env = "BIGIP_PASSWORD" }` or
/// `{ file = "/run/secrets/bigip" }` (its content, trailing newline dropped).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum SecretSource {
    Env(String),
    File(PathBuf),
}

/// A secret's value. `Debug` shows where it came from, never the value.
#[derive(Clone)]
pub struct Secret {
    from: String,
    value: String,
}

impl Secret {
    /// Read `source`; relative files are relative to `base`. Errors name the
    /// variable or file and why, never a value.
    pub fn read(source: &SecretSource, base: &Path) -> Result<Secret, String> {
        match source {
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(Secret {
                    from: format!("environment variable {name}"),
                    value,
                }),
                Ok(_) => Err(format!("environment variable {name} is empty")),
                Err(_) => Err(format!("environment variable {name} is not set")),
            },
            SecretSource::File(path) => {
                let path = base.join(path);
                let text = std::fs::read_to_string(&path)
                    .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
                let value = text.trim_end_matches(['\r', '\n']).to_owned();
                if value.is_empty() {
                    return Err(format!("{} is empty", path.display()));
                }
                Ok(Secret {
                    from: format!("file {}", path.display()),
                    value,
                })
            }
        }
    }

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
        let secret = Secret::read(&SecretSource::File("pw".into()), dir.path()).unwrap();
        assert_eq!(secret.expose(), "hunter2");
        let shown = format!("{secret:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("pw"),
            "{shown}"
        );
        let err = Secret::read(
            &SecretSource::Env("FULCRUM_TEST_SURELY_UNSET".into()),
            dir.path(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            "environment variable FULCRUM_TEST_SURELY_UNSET is not set"
        );
    }
}
