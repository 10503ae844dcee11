//! Serves each simulated node's DCGM exporter `/metrics` over HTTP on its own
//! loopback address (127.0.1.N, an ephemeral port), so the fleet's telemetry
//! is read through the same scrape path as a real cluster's; or, for fleets
//! of thousands of nodes, every node's from one socket at
//! `/nodes/<host name>/metrics`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::fleet::Fleet;

/// The running exporters, one per node; stopped when dropped.
pub struct ExporterServers {
    /// Each node's `/metrics` URL, in node order.
    urls: Vec<String>,
    /// What each exporter serves now, refreshed by [`ExporterServers::publish`];
    /// shared with every answer rather than copied into it.
    bodies: Bodies,
    tasks: Vec<JoinHandle<()>>,
}

impl ExporterServers {
    /// Start one exporter per node of `fleet` on the current Tokio runtime.
    pub async fn start(fleet: &Fleet) -> std::io::Result<ExporterServers> {
        let addresses = fleet.node_addresses();
        let bodies = Arc::new(RwLock::new(render(fleet, addresses.len())));
        let mut urls = Vec::with_capacity(addresses.len());
        let mut tasks = Vec::with_capacity(addresses.len());
        for (node, address) in addresses.iter().enumerate() {
            let listener = TcpListener::bind((address.as_str(), 0)).await?;
            let local: SocketAddr = listener.local_addr()?;
            urls.push(format!("http://{local}/metrics"));
            let app = Router::new()
                .route("/metrics", get(metrics))
                .with_state((Arc::clone(&bodies), node));
            tasks.push(tokio::spawn(async move {
                if let Err(error) = axum::serve(listener, app).await {
                    tracing::warn!(%local, %error, "simulated DCGM exporter stopped");
                }
            }));
        }
        Ok(ExporterServers {
            urls,
            bodies,
            tasks,
        })
    }

    /// Start one server for every node of `fleet` on 127.0.0.1 (an
    /// ephemeral port), serving node `ml-node-N`'s scrape at
    /// `/nodes/ml-node-N/metrics`: [`shared_url_template`] fills in per node.
    ///
    /// [`shared_url_template`]: Self::shared_url_template
    pub async fn start_shared(fleet: &Fleet) -> std::io::Result<ExporterServers> {
        let names = node_names(fleet);
        let bodies = Arc::new(RwLock::new(render(fleet, names.len())));
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let local: SocketAddr = listener.local_addr()?;
        let urls = names
            .iter()
            .map(|name| format!("http://{local}/nodes/{name}/metrics"))
            .collect();
        let by_name: Arc<HashMap<String, usize>> = Arc::new(
            names
                .into_iter()
                .enumerate()
                .map(|(node, name)| (name, node))
                .collect(),
        );
        let app = Router::new()
            .route("/nodes/{name}/metrics", get(shared_metrics))
            .with_state((Arc::clone(&bodies), by_name));
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::warn!(%local, %error, "simulated DCGM exporters stopped");
            }
        });
        Ok(ExporterServers {
            urls,
            bodies,
            tasks: vec![task],
        })
    }

    /// For servers from [`start_shared`](Self::start_shared), the scrape URL
    /// with `{hostname}` in place of the node's host name.
    pub fn shared_url_template(&self) -> Option<String> {
        let first = self.urls.first()?;
        let (base, _) = first.split_once("/nodes/")?;
        Some(format!("{base}/nodes/{{hostname}}/metrics"))
    }

    /// Each node's `/metrics` URL, in node order.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Serve `fleet`'s current readings from now on.
    pub fn publish(&self, fleet: &Fleet) {
        let fresh = render(fleet, self.urls.len());
        match self.bodies.write() {
            Ok(mut bodies) => *bodies = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
    }
}

impl Drop for ExporterServers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Every exporter's current body, in node order.
type Bodies = Arc<RwLock<Vec<Bytes>>>;

type SharedState = (Bodies, Arc<HashMap<String, usize>>);

/// The bodies of the first `nodes` nodes of `fleet`.
fn render(fleet: &Fleet, nodes: usize) -> Vec<Bytes> {
    (0..nodes)
        .filter_map(|n| fleet.dcgm_metrics(n))
        .map(Bytes::from)
        .collect()
}

async fn shared_metrics(
    State((bodies, by_name)): State<SharedState>,
    Path(name): Path<String>,
) -> Result<Response, StatusCode> {
    let node = *by_name.get(&name).ok_or(StatusCode::NOT_FOUND)?;
    Ok(metrics(State((bodies, node))).await)
}

/// Every node's name (its exporter's host name), in node order.
fn node_names(fleet: &Fleet) -> Vec<String> {
    let snapshot = fleet.snapshot(0);
    snapshot
        .nodes
        .name
        .iter()
        .map(|&name| snapshot.string(name).to_owned())
        .collect()
}

async fn metrics(State((bodies, node)): State<(Bodies, usize)>) -> Response {
    let body = {
        let bodies = match bodies.read() {
            Ok(bodies) => bodies,
            Err(poisoned) => poisoned.into_inner(),
        };
        bodies.get(node).cloned().unwrap_or_default()
    };
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}
