//! Getting nvidia-smi output: running the command through [`crate::subprocess`]
//! (argv, no shell, a time limit, killed when it overruns), or reading a file
//! that holds a saved run; bounded to [`MAX_OUTPUT_BYTES`] either way. Errors
//! name the command or file.

use std::io::Read;
use std::time::Duration;

use super::MAX_OUTPUT_BYTES;
use crate::sources::reading::clip;
use crate::subprocess::{self, Keep, RunFailure};

/// Where output comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Run this argv (program first); no shell.
    Command(Vec<String>),
    /// Read this file.
    File(String),
}

impl Input {
    /// The command line or path, as errors and warnings quote it.
    pub fn name(&self) -> String {
        match self {
            Input::Command(argv) => argv.join(" "),
            Input::File(path) => path.clone(),
        }
    }
}

/// Why no output was read.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{command}: cannot start: {reason}")]
    Spawn { command: String, reason: String },
    #[error("{command}: still running after {timeout:?}; killed")]
    Timeout { command: String, timeout: Duration },
    #[error("{command}: exited with {status}: {stderr}")]
    Exit {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("{name}: output is larger than {max} bytes")]
    TooLarge { name: String, max: usize },
    #[error("{name}: output is not UTF-8")]
    NotUtf8 { name: String },
    #[error("{path}: cannot read: {reason}")]
    File { path: String, reason: String },
}

/// Most stderr quoted in [`RunError::Exit`], bytes.
const STDERR_QUOTED_BYTES: usize = 4096;

/// The output of `input`, within `timeout` (a file is read without one).
pub async fn read(input: &Input, timeout: Duration) -> Result<String, RunError> {
    match input {
        Input::Command(argv) => run(argv, timeout).await,
        Input::File(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || read_file(&path))
                .await
                .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))
        }
    }
}

fn read_file(path: &str) -> Result<String, RunError> {
    let failed = |error: std::io::Error| RunError::File {
        path: path.to_owned(),
        reason: error.to_string(),
    };
    let file = std::fs::File::open(path).map_err(failed)?;
    let mut bytes = Vec::new();
    file.take(MAX_OUTPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(failed)?;
    text(path.to_owned(), bytes)
}

async fn run(argv: &[String], timeout: Duration) -> Result<String, RunError> {
    let command = argv.join(" ");
    let keep = Keep {
        stdout: MAX_OUTPUT_BYTES,
        stderr: STDERR_QUOTED_BYTES,
    };
    let finished = subprocess::run(argv, timeout, keep)
        .await
        .map_err(|failure| match failure {
            RunFailure::Timeout(timeout) => RunError::Timeout {
                command: command.clone(),
                timeout,
            },
            other => RunError::Spawn {
                command: command.clone(),
                reason: other.to_string(),
            },
        })?;
    if !finished.status.success() {
        return Err(RunError::Exit {
            command,
            status: finished.status.to_string(),
            stderr: clip(String::from_utf8_lossy(&finished.stderr).trim()),
        });
    }
    text(command, finished.stdout)
}

fn text(name: String, bytes: Vec<u8>) -> Result<String, RunError> {
    if bytes.len() > MAX_OUTPUT_BYTES {
        return Err(RunError::TooLarge {
            name,
            max: MAX_OUTPUT_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|_| RunError::NotUtf8 { name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Input {
        Input::Command(args.iter().map(|arg| arg.to_string()).collect())
    }

    #[tokio::test]
    async fn runs_without_a_shell_and_returns_stdout() {
        let out = read(&argv(&["echo", "a;b", "$HOME"]), Duration::from_secs(10))
            .await
            .unwrap();
        assert_eq!(out, "a;b $HOME\n");
    }

    #[tokio::test]
    async fn an_overrunning_command_is_killed() {
        let error = read(&argv(&["sleep", "30"]), Duration::from_millis(100))
            .await
            .unwrap_err();
        assert!(matches!(error, RunError::Timeout { .. }), "{error}");
        assert!(
            error.to_string().starts_with("sleep 30: still running"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn failures_name_the_command_or_file() {
        let error = read(
            &argv(&["ls", "/nonexistent-fulcrum"]),
            Duration::from_secs(10),
        )
        .await
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("ls /nonexistent-fulcrum: exited with"),
            "{error}"
        );
        assert!(error.to_string().contains("No such file"), "{error}");
        let error = read(
            &argv(&["/nonexistent-fulcrum-smi"]),
            Duration::from_secs(10),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, RunError::Spawn { .. }), "{error}");
        let error = read(
            &Input::File("/nonexistent.csv".into()),
            Duration::from_secs(1),
        )
        .await
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("/nonexistent.csv: cannot read"),
            "{error}"
        );
    }
}
