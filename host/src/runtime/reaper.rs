//! Tearing down what an evaluation leaves behind — its instance, its linear
//! memory, the state copy a failed evaluation discards — on a thread of its
//! own, so that work never counts against a policy's turn or delays the next
//! policy. A policy that filled its memory or its state quota costs the
//! reaper time, not the control loop.

use std::sync::OnceLock;
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};

/// Things waiting to be dropped; past this the caller drops its own.
const BACKLOG: usize = 64;

type Garbage = Box<dyn Send>;

/// Drop `garbage` on the reaper thread; inline if the reaper is behind or
/// could not be started.
pub(crate) fn discard<T: Send + 'static>(garbage: T) {
    let Some(reaper) = reaper() else {
        return drop(garbage);
    };
    match reaper.try_send(Box::new(garbage)) {
        Ok(()) => {}
        Err(TrySendError::Full(garbage) | TrySendError::Disconnected(garbage)) => drop(garbage),
    }
}

fn reaper() -> Option<&'static SyncSender<Garbage>> {
    static REAPER: OnceLock<Option<SyncSender<Garbage>>> = OnceLock::new();
    REAPER
        .get_or_init(|| {
            let (sender, receiver) = sync_channel::<Garbage>(BACKLOG);
            std::thread::Builder::new()
                .name("fulcrum-reaper".into())
                .spawn(move || receiver.into_iter().for_each(drop))
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}
