//! Running an external program — nvidia-smi for telemetry, a MIG command for
//! a rollout — the one way the host does it: argv with no shell, stdin
//! closed, a time limit, and the child killed when the limit passes or the
//! caller goes away. Both pipes are read to their end, so a chatty program
//! never blocks on a full pipe, but only a bounded part of each is kept.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

/// How much of each stream a run keeps.
#[derive(Debug, Clone, Copy)]
pub struct Keep {
    /// The first bytes of stdout; one more is read, so a caller can tell
    /// output that was cut from output that fit.
    pub stdout: usize,
    /// The last bytes of stderr, where a failing program says why.
    pub stderr: usize,
}

/// A program that ran to its end.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    /// At most `Keep::stdout + 1` bytes.
    pub stdout: Vec<u8>,
    /// At most `Keep::stderr` bytes: the end of what it wrote.
    pub stderr: Vec<u8>,
}

/// Why a program did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    #[error("empty command")]
    Empty,
    #[error("cannot start it: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("still running after {0:?}; killed")]
    Timeout(Duration),
    #[error("waiting for it: {0}")]
    Wait(#[source] std::io::Error),
}

/// Run `argv` (program first) to its end within `timeout`.
pub async fn run(argv: &[String], timeout: Duration, keep: Keep) -> Result<Finished, RunFailure> {
    let (program, args) = argv.split_first().ok_or(RunFailure::Empty)?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(RunFailure::Spawn)?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let finished = async {
        let (stdout, stderr, status) = tokio::join!(
            head(stdout, keep.stdout + 1),
            tail(stderr, keep.stderr),
            child.wait()
        );
        status.map(|status| Finished {
            status,
            stdout,
            stderr,
        })
    };
    match tokio::time::timeout(timeout, finished).await {
        Ok(finished) => finished.map_err(RunFailure::Wait),
        // Dropping the child kills it; the runtime reaps it.
        Err(_) => Err(RunFailure::Timeout(timeout)),
    }
}

/// The first `keep` bytes of `pipe`, read to its end.
async fn head(mut pipe: impl AsyncRead + Unpin, keep: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let _ = (&mut pipe).take(keep as u64).read_to_end(&mut kept).await;
    let _ = tokio::io::copy(&mut pipe, &mut tokio::io::sink()).await;
    kept
}

/// The last `keep` bytes of `pipe`, read to its end.
async fn tail(mut pipe: impl AsyncRead + Unpin, keep: usize) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(read @ 1..) = pipe.read(&mut chunk).await {
        kept.extend_from_slice(&chunk[..read]);
        if kept.len() > 2 * keep.max(chunk.len()) {
            kept.drain(..kept.len() - keep);
        }
    }
    if kept.len() > keep {
        kept.drain(..kept.len() - keep);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(args: &[&str]) -> Vec<String> {
        args.iter().map(|arg| arg.to_string()).collect()
    }

    const KEEP: Keep = Keep {
        stdout: 8,
        stderr: 5,
    };

    #[tokio::test]
    async fn keeps_the_head_of_stdout_and_the_tail_of_stderr() {
        let script = "printf 0123456789abcdef; printf 'noise then: boom' >&2; exit 3";
        let done = run(&argv(&["sh", "-c", script]), Duration::from_secs(10), KEEP)
            .await
            .unwrap();
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(done.stdout, b"012345678");
        assert_eq!(done.stderr, b": boom"[1..]);
    }

    #[tokio::test]
    async fn a_program_past_its_time_is_killed() {
        let failure = run(&argv(&["sleep", "30"]), Duration::from_millis(100), KEEP)
            .await
            .unwrap_err();
        assert!(matches!(failure, RunFailure::Timeout(_)), "{failure}");
    }

    #[tokio::test]
    async fn a_missing_program_or_an_empty_command_fails_to_start() {
        let missing = run(
            &argv(&["/nonexistent/nvidia-smi"]),
            Duration::from_secs(1),
            KEEP,
        )
        .await;
        assert!(matches!(missing, Err(RunFailure::Spawn(_))));
        assert!(matches!(
            run(&[], Duration::from_secs(1), KEEP).await,
            Err(RunFailure::Empty)
        ));
    }
}
