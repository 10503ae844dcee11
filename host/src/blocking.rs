//! Blocking work in async code — store commits that wait for fsync, hashing
//! the snapshot, reading policy files' metadata — runs on Tokio's blocking
//! pool, so the async runtime that talks to the backends and serves
//! `/metrics` never stalls behind it.

/// Run `work` on the blocking pool and wait for it. A panic in `work` is the
/// host's own bug and carries on as one.
pub(crate) async fn blocking<R: Send + 'static>(work: impl FnOnce() -> R + Send + 'static) -> R {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("blocking work of the cycle was cancelled: {error}"),
        },
    }
}
