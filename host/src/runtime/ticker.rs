//! The epoch ticker: advances the engine's epoch every [`TICK`] so a running
//! policy's deadline (counted in ticks) can interrupt it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::Engine;

/// Time between epoch increments; deadlines are rounded up to a whole tick.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// Owns the ticker thread; stops it when dropped.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    pub(crate) fn start(engine: &Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        // A weak engine reference: the ticker must not keep the engine alive.
        let weak = engine.weak();
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("fulcrum-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => return,
                    }
                }
            })?;
        Ok(EpochTicker {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Whole ticks needed to cover `deadline` (at least one).
pub(crate) fn ticks_for(deadline: Duration) -> u64 {
    let tick = TICK.as_nanos();
    (deadline.as_nanos().div_ceil(tick)).max(1) as u64
}
