//! Serves each simulated node's DCGM exporter `/metrics` over HTTP on its own
//! loopback address (127.0.1.N, an ephemeral port), so the fleet's telemetry
//! is read through the same scrape path as a real cluster's.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::fleet::Fleet;

/// The running exporters, one per node; stopped when dropped.
pub struct ExporterServers {
    /// Each node's `/metrics` URL, in node order.
    urls: Vec<String>,
    /// What each exporter serves now, refreshed by [`ExporterServers::publish`].
    bodies: Arc<RwLock<Vec<String>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl ExporterServers {
    /// Start one exporter per node of `fleet` on the current Tokio runtime.
    pub async fn start(fleet: &Fleet) -> std::io::Result<ExporterServers> {
        let addresses = fleet.node_addresses();
        let bodies = Arc::new(RwLock::new(
            (0..addresses.len())
                .filter_map(|n| fleet.dcgm_metrics(n))
                .collect(),
        ));
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

    /// Each node's `/metrics` URL, in node order.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Serve `fleet`'s current readings from now on.
    pub fn publish(&self, fleet: &Fleet) {
        let fresh: Vec<String> = (0..self.urls.len())
            .filter_map(|n| fleet.dcgm_metrics(n))
            .collect();
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

async fn metrics(State((bodies, node)): State<(Arc<RwLock<Vec<String>>>, usize)>) -> String {
    let bodies = match bodies.read() {
        Ok(bodies) => bodies,
        Err(poisoned) => poisoned.into_inner(),
    };
    bodies.get(node).cloned().unwrap_or_default()
}
