//! Getting nvidia-smi output: running the command (argv, no shell) with a
//! time limit, killing it when it overruns, or reading a file that holds a
//! saved run; bounded to [`MAX_OUTPUT_BYTES`] either way. Errors name the
//! command or file.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::MAX_OUTPUT_BYTES;
use crate::sources::reading::clip;

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

/// How often a running command is checked for exit.
const POLL: Duration = Duration::from_millis(5);
/// Most stderr quoted in [`RunError::Exit`], bytes.
const STDERR_QUOTED_BYTES: u64 = 4096;

/// The output of `input`, within `timeout` (a file is read without one).
pub async fn read(input: &Input, timeout: Duration) -> Result<String, RunError> {
    let input = input.clone();
    let name = input.name();
    tokio::task::spawn_blocking(move || match &input {
        Input::Command(argv) => run(argv, timeout),
        Input::File(path) => read_file(path),
    })
    .await
    .unwrap_or_else(|error| {
        Err(RunError::Spawn {
            command: name,
            reason: format!("the reading task failed: {error}"),
        })
    })
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

fn run(argv: &[String], timeout: Duration) -> Result<String, RunError> {
    let command = argv.join(" ");
    let (program, args) = argv.split_first().ok_or_else(|| RunError::Spawn {
        command: command.clone(),
        reason: "empty command".to_owned(),
    })?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| RunError::Spawn {
            command: command.clone(),
            reason: error.to_string(),
        })?;
    // Both pipes are drained on their own threads so the child never blocks
    // on a full pipe; only the first bytes are kept.
    let stdout = child
        .stdout
        .take()
        .map(|out| drain(out, MAX_OUTPUT_BYTES as u64 + 1));
    let stderr = child
        .stderr
        .take()
        .map(|err| drain(err, STDERR_QUOTED_BYTES));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
            Ok(None) | Err(_) => {
                // Already exited if kill fails; wait reaps it either way.
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::Timeout { command, timeout });
            }
        }
    };
    let stdout = stdout
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    let stderr = stderr
        .and_then(|reader| reader.join().ok())
        .unwrap_or_default();
    if !status.success() {
        return Err(RunError::Exit {
            command,
            status: status.to_string(),
            stderr: clip(String::from_utf8_lossy(&stderr).trim()),
        });
    }
    text(command, stdout)
}

/// Read `pipe` to its end on a new thread, keeping the first `keep` bytes.
fn drain(mut pipe: impl Read + Send + 'static, keep: u64) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let _ = (&mut pipe).take(keep).read_to_end(&mut kept);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        kept
    })
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
