//! Stopping `host run` cleanly. SIGINT or SIGTERM lets the cycle in progress
//! finish — its changes applied and its audit record written — and then ends
//! the run with success; a second signal during that cycle ends it at once,
//! leaving the cycle, if it had begun applying, for the next start to close
//! as interrupted.

use std::io;

use tokio::signal::unix::{Signal, SignalKind, signal};

/// The signals that stop a run, listened for from the start of the run, so
/// one that arrives mid-cycle is kept until the loop looks.
pub(super) struct StopSignals {
    interrupt: Signal,
    terminate: Signal,
}

/// A stop signal that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StopSignal {
    Interrupt,
    Terminate,
}

impl StopSignal {
    /// The exit status of a run a second signal ended: 128 + the signal's number.
    pub(super) fn exit_code(self) -> u8 {
        match self {
            StopSignal::Interrupt => 130,
            StopSignal::Terminate => 143,
        }
    }
}

impl std::fmt::Display for StopSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StopSignal::Interrupt => "SIGINT",
            StopSignal::Terminate => "SIGTERM",
        })
    }
}

impl StopSignals {
    pub(super) fn listen() -> io::Result<StopSignals> {
        Ok(StopSignals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    /// The next stop signal.
    pub(super) async fn recv(&mut self) -> StopSignal {
        tokio::select! {
            _ = self.interrupt.recv() => StopSignal::Interrupt,
            _ = self.terminate.recv() => StopSignal::Terminate,
        }
    }
}
