//! The epoch ticker: advances the engine's epoch every [`TICK`] so a running
//! policy's deadline (counted in ticks) can interrupt it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
                // The epoch follows the wall clock: a wake-up that comes late
                // (a busy machine) catches up on the ticks it missed.
                let started = Instant::now();
                let mut ticks: u128 = 0;
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    let Some(engine) = weak.upgrade() else {
                        return;
                    };
                    let due = started.elapsed().as_nanos() / TICK.as_nanos();
                    while ticks < due {
                        engine.increment_epoch();
                        ticks += 1;
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

/// The epoch deadline for a turn of `deadline`: the guest is interrupted one
/// tick early, which leaves the host that tick for its own part of the turn
/// (lifting and checking the output, keeping the state) and for a late
/// wake-up of the ticker. At least one tick.
pub(crate) fn ticks_for(deadline: Duration) -> u64 {
    let tick = TICK.as_nanos();
    (deadline.saturating_sub(TICK).as_nanos().div_ceil(tick)).max(1) as u64
}
