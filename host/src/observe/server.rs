//! The observability endpoint: `/metrics` (OpenMetrics text) and `/healthz`
//! (200 while cycles keep completing, 503 once they stall), on an address the
//! operator chooses — loopback unless they say otherwise. A replica is ready
//! as leader and as standby (a standby's turns count as its cycles), and
//! answers 503 while it cannot reach etcd.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

use super::Metrics;
use crate::ha::Role;

/// When the last cycle completed, and how long the host may go without one
/// before it reports itself unhealthy.
#[derive(Clone, Debug)]
pub struct Health {
    last_cycle_ms: Arc<AtomicU64>,
    allowed_gap: Duration,
    /// A replica's role; `None` for a host running alone.
    role: Arc<Mutex<Option<Role>>>,
}

impl Health {
    /// Healthy while a cycle completes at least every `allowed_gap`; the clock
    /// starts now.
    pub fn new(allowed_gap: Duration) -> Health {
        let health = Health {
            last_cycle_ms: Arc::new(AtomicU64::new(0)),
            allowed_gap,
            role: Arc::new(Mutex::new(None)),
        };
        health.cycle_completed();
        health
    }

    /// Record a completed cycle.
    pub fn cycle_completed(&self) {
        self.last_cycle_ms.store(now_ms(), Ordering::Relaxed);
    }

    /// Record a replica's role this turn.
    pub fn replica_role(&self, role: &Role) {
        *self.role.lock().unwrap_or_else(PoisonError::into_inner) = Some(role.clone());
    }

    fn role(&self) -> Option<Role> {
        self.role
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `Ok` with the time since the last cycle, or `Err` with it when too long.
    fn check(&self) -> Result<Duration, Duration> {
        let since = Duration::from_millis(
            now_ms().saturating_sub(self.last_cycle_ms.load(Ordering::Relaxed)),
        );
        if since <= self.allowed_gap {
            Ok(since)
        } else {
            Err(since)
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[derive(Clone)]
struct Shared {
    metrics: Metrics,
    health: Health,
}

/// Bind `address` and serve `/metrics` and `/healthz` until the runtime stops.
/// Returns the bound address (useful with port 0).
pub async fn serve(
    address: SocketAddr,
    metrics: Metrics,
    health: Health,
) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(healthz))
        .with_state(Shared { metrics, health });
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(%bound, %err, "metrics endpoint stopped");
        }
    });
    Ok(bound)
}

async fn metrics_text(State(shared): State<Shared>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        shared.metrics.encode(),
    )
}

async fn healthz(State(shared): State<Shared>) -> impl IntoResponse {
    let role = match shared.health.role() {
        None => String::new(),
        Some(Role::Leader) => "leader, ".to_owned(),
        Some(Role::Standby { leader }) => format!("standby ({leader} leads), "),
        Some(Role::Unavailable { why }) => {
            let why = super::neutralize(&why);
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: cannot lead or stand by: {why}\n"),
            );
        }
    };
    match shared.health.check() {
        Ok(since) => (
            StatusCode::OK,
            format!("ok: {role}last cycle {} ms ago\n", since.as_millis()),
        ),
        Err(since) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "stalled: last cycle {} ms ago, allowed {} ms\n",
                since.as_millis(),
                shared.health.allowed_gap.as_millis()
            ),
        ),
    }
}
