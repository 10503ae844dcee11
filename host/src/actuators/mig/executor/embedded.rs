//! [`EmbeddedExecutor`]: an executor that runs inside the host process
//! rather than reaching a node, handed to the host when it is set up (the
//! demo hands it the simulated fleet's node agent) and selected by
//! `kind = "embedded"`. Any [`Executor`] can be embedded; its futures and
//! errors are boxed so the rollouts drive it like the others.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::{ApplyStatus, Executor};
use crate::actuators::mig::request::MigRequest;

/// The embedded executor's own error, boxed; its message and causes are
/// the embedded executor's.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct EmbeddedError(Box<dyn Error + Send + Sync>);

/// A boxed future an embedded executor returns.
type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, EmbeddedError>> + Send + 'a>>;

/// [`Executor`] with boxed futures and errors, so it can sit behind a trait
/// object.
trait DynExecutor: Send + Sync {
    fn apply<'a>(&'a self, request: &'a MigRequest) -> Boxed<'a, ()>;
    fn status<'a>(&'a self, request: &'a MigRequest) -> Boxed<'a, ApplyStatus>;
}

impl<E> DynExecutor for E
where
    E: Executor + Send + Sync,
{
    fn apply<'a>(&'a self, request: &'a MigRequest) -> Boxed<'a, ()> {
        Box::pin(async move {
            Executor::apply(self, request)
                .await
                .map_err(|e| EmbeddedError(Box::new(e)))
        })
    }

    fn status<'a>(&'a self, request: &'a MigRequest) -> Boxed<'a, ApplyStatus> {
        Box::pin(async move {
            Executor::status(self, request)
                .await
                .map_err(|e| EmbeddedError(Box::new(e)))
        })
    }
}

/// An executor the host embeds; clones share it.
#[derive(Clone)]
pub struct EmbeddedExecutor {
    name: &'static str,
    inner: Arc<dyn DynExecutor>,
}

impl EmbeddedExecutor {
    /// Embed `executor`; `name` says what it is in logs and debug output
    /// ("the demo fleet's node agent").
    pub fn new<E>(name: &'static str, executor: E) -> Self
    where
        E: Executor + Send + Sync + 'static,
    {
        EmbeddedExecutor {
            name,
            inner: Arc::new(executor),
        }
    }

    /// What it is, as given to [`EmbeddedExecutor::new`].
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for EmbeddedExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EmbeddedExecutor").field(&self.name).finish()
    }
}

impl Executor for EmbeddedExecutor {
    type Error = EmbeddedError;

    async fn apply(&self, request: &MigRequest) -> Result<(), EmbeddedError> {
        self.inner.apply(request).await
    }

    async fn status(&self, request: &MigRequest) -> Result<ApplyStatus, EmbeddedError> {
        self.inner.status(request).await
    }
}
