//! What is wrong with a configuration file: each [`Problem`] names the key
//! and, where the file gives one, the line; [`ConfigError`] is every problem
//! of one file, or why it could not be read.

use std::fmt;
use std::path::PathBuf;

/// One thing wrong with the file: `key (line N): message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The key path (`telemetry[1].timeout_ms`); empty for a TOML error,
    /// whose message names the key and line itself.
    pub key: String,
    /// The 1-based line the value is written on.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    /// A syntax error, unknown key or wrong type, as `toml` reports it: its
    /// message carries the line, column and the offending key.
    pub(super) fn toml(err: &toml::de::Error, line: Option<usize>) -> Problem {
        Problem {
            key: String::new(),
            line,
            message: err.to_string().trim_end().replace('\n', "\n    "),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.key.as_str(), self.line) {
            ("", _) => f.write_str(&self.message),
            (key, Some(line)) => write!(f, "{key} (line {line}): {}", self.message),
            (key, None) => write!(f, "{key}: {}", self.message),
        }
    }
}

/// Every problem found while resolving a file, in the order found.
#[derive(Debug, Default)]
pub(super) struct Problems(Vec<Problem>);

impl Problems {
    pub(super) fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    /// `value` when nothing was found wrong, else every problem.
    pub(super) fn finish<T>(self, value: T) -> Result<T, Vec<Problem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// Why a configuration file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: cannot read: {source}", file.display())]
    Unreadable {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}", Listed { file, problems })]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

/// `FILE: problem`, or `FILE: N problems` and one line per problem.
struct Listed<'a> {
    file: &'a PathBuf,
    problems: &'a [Problem],
}

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match self.problems {
            [one] => write!(f, "{file}: {one}"),
            many => {
                write!(f, "{file}: {} problems", many.len())?;
                many.iter().try_for_each(|p| write!(f, "\n  {file}: {p}"))
            }
        }
    }
}
