//! [`Etcd`]: the etcd client, on a runtime of its own. The engine waits on
//! etcd from synchronous code (a state commit off the async runtime, a MIG
//! rollout's save between two steps) as it waits on a disk, and from async
//! code as on any request; either way the request runs on this runtime's
//! thread, bounded by the request timeout, and the caller waits for its
//! answer. No caller needs a particular kind of runtime, or one at all.

use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};
use tokio::runtime::{Handle, Runtime};
use tokio::task::AbortHandle;

use super::HaConfig;
use super::error::HaError;

/// A connected etcd client. Cheap to clone: clones share the connection.
#[derive(Clone)]
pub struct Etcd {
    client: Client,
    runtime: Arc<OwnRuntime>,
    timeout: Duration,
}

/// The client's runtime, stopped without waiting when the last clone of
/// the client goes (dropping a runtime may not block an async caller).
struct OwnRuntime(Option<Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.0.take() {
            runtime.shutdown_background();
        }
    }
}

impl Etcd {
    /// Connect to `config`'s endpoints, with its TLS and credentials.
    pub async fn connect(config: &HaConfig) -> Result<Etcd, HaError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("etcd-client")
            .enable_all()
            .build()
            .map_err(|source| HaError::Runtime { source })?;
        let endpoints = config.endpoints.clone();
        let options = options(config);
        let connecting = runtime.spawn(Client::connect(endpoints, Some(options)));
        let client = connecting
            .await
            .map_err(|_| HaError::Stopped {
                operation: "connecting",
            })?
            .map_err(|source| HaError::Connect {
                endpoints: config.endpoints.join(", "),
                source,
            })?;
        Ok(Etcd {
            client,
            runtime: Arc::new(OwnRuntime(Some(runtime))),
            timeout: config.request_timeout,
        })
    }

    fn handle(&self) -> &Handle {
        self.runtime
            .0
            .as_ref()
            .expect("the runtime is only taken when the client is dropped")
            .handle()
    }

    /// Run `request` on the client's runtime within the request timeout.
    pub async fn call<T, F>(
        &self,
        operation: &'static str,
        request: impl FnOnce(Client) -> F,
    ) -> Result<T, HaError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, etcd_client::Error>> + Send + 'static,
    {
        let bounded = bounded(operation, self.timeout, request(self.client.clone()));
        self.handle()
            .spawn(bounded)
            .await
            .map_err(|_| HaError::Stopped { operation })?
    }

    /// [`Etcd::call`] for synchronous callers: blocks this thread until the
    /// answer comes (within the request timeout).
    pub fn call_blocking<T, F>(
        &self,
        operation: &'static str,
        request: impl FnOnce(Client) -> F,
    ) -> Result<T, HaError>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, etcd_client::Error>> + Send + 'static,
    {
        let bounded = bounded(operation, self.timeout, request(self.client.clone()));
        let (answer, answered) = mpsc::sync_channel(1);
        self.handle().spawn(async move {
            // The caller waits on the other end until this is sent.
            let _ = answer.send(bounded.await);
        });
        answered
            .recv()
            .map_err(|_| HaError::Stopped { operation })?
    }

    /// Run `task` on the client's runtime until it ends or is aborted.
    pub fn spawn<F>(&self, task: impl FnOnce(Client) -> F) -> AbortHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.handle()
            .spawn(task(self.client.clone()))
            .abort_handle()
    }
}

/// `request`, failed with a timeout after `timeout`.
async fn bounded<T>(
    operation: &'static str,
    timeout: Duration,
    request: impl Future<Output = Result<T, etcd_client::Error>>,
) -> Result<T, HaError> {
    match tokio::time::timeout(timeout, request).await {
        Ok(answer) => answer.map_err(|source| HaError::Request { operation, source }),
        Err(_) => Err(HaError::Timeout { operation, timeout }),
    }
}

/// How the client connects: timeouts, TLS and credentials from `config`.
/// Requests need a raft leader, so a member cut off from the majority
/// refuses at once instead of answering stale or hanging.
fn options(config: &HaConfig) -> ConnectOptions {
    let mut options = ConnectOptions::new()
        .with_connect_timeout(config.request_timeout)
        .with_timeout(config.request_timeout)
        .with_keep_alive(config.request_timeout, config.request_timeout)
        .with_require_leader(true);
    if let Some(tls) = &config.tls {
        let mut tls_options = TlsOptions::new().ca_certificate(Certificate::from_pem(&tls.ca_pem));
        if let Some((cert, key)) = &tls.identity {
            tls_options = tls_options.identity(Identity::from_pem(cert, key.expose()));
        }
        options = options.with_tls(tls_options);
    }
    if let Some(auth) = &config.auth {
        options = options.with_user(auth.username.clone(), auth.password.expose().to_owned());
    }
    options
}
