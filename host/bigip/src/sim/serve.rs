//! The accept loop: TLS on each connection, then, in front of the router, the request
//! counters, injected faults (latency, dropped connections, 503 pages, mcpd errors, expired
//! tokens) and trailing-slash trimming.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, Uri};
use axum::response::Response;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

use super::answers::{mcpd_error, unavailable_page};
use super::faults::Injection;
use super::router::router;
use super::shared::Shared;
use super::state::SimError as ModelError;

/// The connection is closed without an answer (an injected fault).
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

/// Accepts TLS connections until the task is aborted.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shared: Arc<Shared>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let router = router(shared.clone());
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(message = "bigip sim accept failed", %error);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let stream = match acceptor.accept(tcp).await {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::debug!(message = "bigip sim tls handshake failed", %peer, %error);
                    return;
                }
            };
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    let shared = shared.clone();
                    async move { front(shared, router, request.map(Body::new)).await }
                },
            );
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(message = "bigip sim connection ended", %peer, %error);
            }
        });
    }
}

/// Counts the request, applies injected faults, trims trailing slashes and hands over to the router.
async fn front(
    shared: Arc<Shared>,
    mut router: Router,
    mut request: Request,
) -> Result<Response, DroppedConnection> {
    let path = request.uri().path().to_owned();
    if path.starts_with("/mgmt") {
        let counters = &shared.counters;
        counters.requests.fetch_add(1, Ordering::Relaxed);
        if path.starts_with("/mgmt/tm") {
            let class = if request.method() == Method::GET {
                &counters.reads
            } else {
                &counters.writes
            };
            class.fetch_add(1, Ordering::Relaxed);
        }
        let (latency, injection) = shared.faults.next();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        if injection != Injection::None {
            counters.faults.fetch_add(1, Ordering::Relaxed);
        }
        match injection {
            Injection::None => {}
            Injection::DropConnection => return Err(DroppedConnection),
            Injection::Unavailable => return Ok(unavailable_page()),
            Injection::McpdLost => {
                return Ok(mcpd_error(&ModelError {
                    status: 500,
                    message: "The connection to mcpd has been lost, try again.".into(),
                    api_error: 32768001,
                }));
            }
            Injection::ExpireTokens => {
                for token in shared.lock().tokens.values_mut() {
                    token.expired = true;
                }
            }
        }
    }
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/').to_owned();
        let rebuilt = match request.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed,
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    let response: Result<Response, Infallible> = router.call(request).await;
    Ok(response.unwrap_or_else(|never| match never {}))
}
