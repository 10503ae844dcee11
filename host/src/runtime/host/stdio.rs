//! A policy's stdout and stderr (a Python `print`, a JavaScript
//! `console.log`, a Rust panic message): into the host's log beside the
//! `log` import's messages, one record per line, tagged with the policy's
//! name and the stream. Lines are neutralised and cut to
//! [`MAX_LINE_BYTES`]; an evaluation writes at most [`MAX_LINES`] lines and
//! [`MAX_BYTES_PER_EVALUATION`] bytes: from the first line past either bound
//! on, the rest are dropped, counted and noted once per call. A line still open when a call returns is written
//! then. The first bytes of stderr are also kept whole for a trap's message.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

use crate::runtime::text;

/// Longest line kept, in bytes; longer ones are cut at a character boundary.
pub const MAX_LINE_BYTES: usize = 1024;
/// Most lines of output one evaluation may write, both streams together.
pub const MAX_LINES: u32 = 64;
/// Most bytes of output one evaluation may write; later lines are dropped.
pub const MAX_BYTES_PER_EVALUATION: usize = 8 * 1024;
/// Bytes of stderr kept whole per evaluation for a trap's message.
const STDERR_KEPT_BYTES: usize = 16 * 1024;
/// Most bytes the guest may write in one go before it asks again.
const WRITE_PERMIT_BYTES: usize = 64 * 1024;

/// Which of the policy's output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

/// One evaluation's output: both streams' open lines and what was written,
/// dropped and cut.
#[derive(Clone)]
pub(crate) struct GuestOutput {
    shared: Arc<Mutex<Lines>>,
}

impl GuestOutput {
    pub(crate) fn new(policy: Arc<str>) -> Self {
        GuestOutput {
            shared: Arc::new(Mutex::new(Lines {
                policy,
                stdout: OpenLine::default(),
                stderr: OpenLine::default(),
                written: 0,
                written_bytes: 0,
                full: false,
                dropped: 0,
                dropped_unnoted: 0,
                truncated: 0,
                stderr_kept: Vec::new(),
            })),
        }
    }

    /// The guest's end of `stream`.
    pub(crate) fn stream(&self, stream: Stream) -> GuestStream {
        GuestStream {
            output: self.clone(),
            stream,
        }
    }

    /// End of a call: write the lines still open, and note what was dropped.
    pub(crate) fn end_call(&self) {
        self.lines().end_call();
    }

    /// Lines dropped past the bound and lines cut to their cap, so far.
    pub(crate) fn dropped_and_truncated(&self) -> (u32, u32) {
        let lines = self.lines();
        (lines.dropped, lines.truncated)
    }

    /// The first bytes the policy wrote to stderr, as text.
    pub(crate) fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.lines().stderr_kept).into_owned()
    }

    fn lines(&self) -> MutexGuard<'_, Lines> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Lines {
    policy: Arc<str>,
    stdout: OpenLine,
    stderr: OpenLine,
    written: u32,
    written_bytes: usize,
    /// Past a bound: every later line is dropped, so the log keeps the
    /// output's start without gaps.
    full: bool,
    dropped: u32,
    /// Dropped since the last note of it.
    dropped_unnoted: u32,
    truncated: u32,
    stderr_kept: Vec<u8>,
}

/// The line a stream is writing: its first [`MAX_LINE_BYTES`] bytes and its
/// length so far.
#[derive(Default)]
struct OpenLine {
    kept: Vec<u8>,
    len: usize,
}

impl Lines {
    fn write(&mut self, stream: Stream, mut bytes: &[u8]) {
        if stream == Stream::Stderr {
            let room = STDERR_KEPT_BYTES.saturating_sub(self.stderr_kept.len());
            self.stderr_kept
                .extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        while !bytes.is_empty() {
            let (piece, ends_line) = match memchr::memchr(b'\n', bytes) {
                Some(at) => (&bytes[..at], Some(at)),
                None => (bytes, None),
            };
            let line = self.open_line(stream);
            let room = MAX_LINE_BYTES.saturating_sub(line.kept.len());
            line.kept.extend_from_slice(&piece[..piece.len().min(room)]);
            line.len += piece.len();
            match ends_line {
                Some(at) => {
                    self.end_line(stream);
                    bytes = &bytes[at + 1..];
                }
                None => break,
            }
        }
    }

    fn open_line(&mut self, stream: Stream) -> &mut OpenLine {
        match stream {
            Stream::Stdout => &mut self.stdout,
            Stream::Stderr => &mut self.stderr,
        }
    }

    fn end_line(&mut self, stream: Stream) {
        let OpenLine { kept, len } = std::mem::take(self.open_line(stream));
        let whole = String::from_utf8_lossy(&kept);
        let line = whole.trim_end_matches(['\r', '\u{fffd}']);
        if line.trim().is_empty() {
            return;
        }
        let (line, cut) = text::capped_from(line, len, MAX_LINE_BYTES);
        self.full |=
            self.written >= MAX_LINES || self.written_bytes + line.len() > MAX_BYTES_PER_EVALUATION;
        if self.full {
            self.dropped = self.dropped.saturating_add(1);
            self.dropped_unnoted = self.dropped_unnoted.saturating_add(1);
            return;
        }
        self.written += 1;
        self.written_bytes += line.len();
        self.truncated += u32::from(cut);
        let policy = &*self.policy;
        let name = stream.name();
        match stream {
            Stream::Stdout => tracing::info!(target: "policy", policy, stream = name, "{line}"),
            Stream::Stderr => tracing::warn!(target: "policy", policy, stream = name, "{line}"),
        }
    }

    fn end_call(&mut self) {
        for stream in [Stream::Stdout, Stream::Stderr] {
            if self.open_line(stream).len > 0 {
                self.end_line(stream);
            }
        }
        if self.dropped_unnoted > 0 {
            let policy = &*self.policy;
            let dropped = std::mem::take(&mut self.dropped_unnoted);
            tracing::warn!(
                target: "policy",
                policy,
                dropped,
                "dropped {dropped} lines of output past the per-evaluation bound ({MAX_LINES} lines, {MAX_BYTES_PER_EVALUATION} bytes)"
            );
        }
    }
}

/// The guest's stdout or stderr: every write goes to the evaluation's
/// [`GuestOutput`], and none fails, so a policy never stops over its output.
#[derive(Clone)]
pub(crate) struct GuestStream {
    output: GuestOutput,
    stream: Stream,
}

impl IsTerminal for GuestStream {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestStream {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl OutputStream for GuestStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.output.lines().write(self.stream, &bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(WRITE_PERMIT_BYTES)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for GuestStream {
    async fn ready(&mut self) {}
}

impl AsyncWrite for GuestStream {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.output.lines().write(self.stream, buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output() -> GuestOutput {
        GuestOutput::new("p".into())
    }

    fn write(output: &GuestOutput, stream: Stream, text: &str) {
        output.lines().write(stream, text.as_bytes());
    }

    #[test]
    fn lines_past_the_bound_are_dropped_and_counted() {
        let output = output();
        for _ in 0..MAX_LINES + 5 {
            write(&output, Stream::Stdout, "x\n");
        }
        output.end_call();
        assert_eq!(output.dropped_and_truncated(), (5, 0));
    }

    #[test]
    fn a_long_line_is_cut_and_the_byte_budget_drops_the_rest() {
        let output = output();
        let long = "y".repeat(MAX_LINE_BYTES * 100);
        for _ in 0..MAX_LINES {
            write(&output, Stream::Stderr, &long);
            write(&output, Stream::Stderr, "\n");
        }
        let (dropped, truncated) = output.dropped_and_truncated();
        assert!(truncated >= 1 && dropped >= 1, "{dropped} {truncated}");
        assert_eq!(dropped + truncated, MAX_LINES);
        assert_eq!(output.stderr_text().len(), STDERR_KEPT_BYTES);
    }

    #[test]
    fn an_open_line_is_written_when_the_call_ends() {
        let output = output();
        write(&output, Stream::Stdout, "no newline yet");
        assert_eq!(output.lines().written, 0);
        output.end_call();
        assert_eq!(output.lines().written, 1);
        assert_eq!(output.lines().stdout.len, 0);
    }
}
