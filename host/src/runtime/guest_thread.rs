//! Where guest code runs: never on a thread of the async runtime. WASI's
//! synchronous calls (a policy writing its panic message to stderr) block on
//! a Tokio runtime of their own when the thread has none, but on a runtime
//! thread they try to start one inside it and panic, taking the host down.
//! Every entry point that calls into a guest goes through [`off_runtime`].

/// Run `work` on a thread outside any async runtime: here when this thread
/// has none, else on a scoped thread of its own. A panic in `work` is the
/// host's own bug and carries on as one.
pub(crate) fn off_runtime<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if tokio::runtime::Handle::try_current().is_err() {
        return work();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("fulcrum-policy".into())
            .spawn_scoped(scope, work)
            .map(|thread| thread.join())
    })
    .unwrap_or_else(|spawn_error| panic!("cannot start a policy thread: {spawn_error}"))
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use super::off_runtime;

    #[test]
    fn work_leaves_the_async_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let inside = runtime
            .block_on(async { off_runtime(|| tokio::runtime::Handle::try_current().is_ok()) });
        assert!(!inside);
        assert!(off_runtime(
            || tokio::runtime::Handle::try_current().is_err()
        ));
    }
}
