//! [`Lease`]: this replica's etcd lease, renewed every quarter TTL on the
//! client's runtime. The replica's keys (its registration, and the leader
//! key while it leads) are bound to it, so etcd deletes them when it
//! expires.
//!
//! The replica keeps its own, conservative deadline: a renewal sent at `t`
//! and answered with TTL `T` holds the lease until at least `t + T` (etcd
//! counts from when it handled the renewal, which is later). The monotonic
//! clock goes on while the process is paused or cut off, so a deadline that
//! passed without a renewal means the lease may be gone: [`Lease::lapsed`]
//! resolves then, and nothing more may be applied under it.

use std::time::Duration;

use etcd_client::{Client, LeaseKeepAliveStream, LeaseKeeper};
use tokio::sync::watch;
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::error::HaError;
use super::etcd::Etcd;

/// Where the lease stands, as far as this replica can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Standing {
    /// Sure to hold until then.
    Held { until: Instant },
    /// etcd answered a renewal with TTL 0: the lease and its keys are gone.
    Expired,
}

/// A granted lease and the task renewing it.
pub struct Lease {
    id: i64,
    standing: watch::Receiver<Standing>,
    renewing: AbortHandle,
}

impl Lease {
    /// Grant a lease of `ttl` (whole seconds) and keep renewing it.
    pub async fn grant(etcd: &Etcd, ttl: Duration) -> Result<Lease, HaError> {
        let sent = Instant::now();
        let ttl_secs = ttl.as_secs() as i64;
        let granted = etcd
            .call("granting a lease", move |mut client| async move {
                client.lease_grant(ttl_secs, None).await
            })
            .await?;
        let granted_ttl = Duration::from_secs(granted.ttl().max(0) as u64);
        let (publish, standing) = watch::channel(Standing::Held {
            until: sent + granted_ttl,
        });
        let id = granted.id();
        let renewal = Renewal {
            id,
            ttl: granted_ttl,
            every: ttl / 4,
        };
        let renewing = etcd.spawn(move |client| renewal.run(client, publish));
        Ok(Lease {
            id,
            standing,
            renewing,
        })
    }

    /// The lease's id in etcd.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// How long the lease is sure to hold; zero once it lapsed or expired.
    pub fn left(&self) -> Duration {
        match *self.standing.borrow() {
            Standing::Held { until } => until.saturating_duration_since(Instant::now()),
            Standing::Expired => Duration::ZERO,
        }
    }

    /// Whether etcd said the lease is gone: a new one is needed.
    pub fn expired(&self) -> bool {
        *self.standing.borrow() == Standing::Expired
    }

    /// Resolves once the lease is no longer sure to hold: its deadline
    /// passed without a renewal, or etcd said it expired.
    pub async fn lapsed(&self) {
        let mut standing = self.standing.clone();
        loop {
            let until = match *standing.borrow_and_update() {
                Standing::Held { until } => until,
                Standing::Expired => return,
            };
            // Checked before waiting: a paused process wakes past its deadline.
            if Instant::now() >= until {
                return;
            }
            tokio::select! {
                biased;
                () = tokio::time::sleep_until(until) => {}
                renewed = standing.changed() => {
                    if renewed.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Give the lease back, deleting its keys at once; best effort (it
    /// expires anyway).
    pub async fn revoke(&self, etcd: &Etcd) {
        self.renewing.abort();
        let id = self.id;
        let revoked = etcd
            .call("revoking the lease", move |mut client| async move {
                client.lease_revoke(id).await
            })
            .await;
        if let Err(error) = revoked {
            tracing::warn!(%error, "the lease was not revoked; it expires by itself");
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.renewing.abort();
    }
}

/// Renewing one lease.
struct Renewal {
    id: i64,
    /// The TTL etcd granted.
    ttl: Duration,
    every: Duration,
}

impl Renewal {
    /// Renew the lease every `every`, publishing how long it holds. A
    /// broken stream is opened again at the next renewal (opening one renews
    /// the lease); the deadline stands meanwhile.
    async fn run(self, mut client: Client, publish: watch::Sender<Standing>) {
        let mut stream: Option<(LeaseKeeper, LeaseKeepAliveStream)> = None;
        loop {
            tokio::time::sleep(self.every).await;
            let sent = Instant::now();
            let Some((keeper, answers)) = stream.as_mut() else {
                match tokio::time::timeout(self.every, client.lease_keep_alive(self.id)).await {
                    Ok(Ok(opened)) => {
                        publish.send_replace(Standing::Held {
                            until: sent + self.ttl,
                        });
                        stream = Some(opened);
                    }
                    Ok(Err(_)) if self.gone(&mut client).await => {
                        publish.send_replace(Standing::Expired);
                        return;
                    }
                    _ => {}
                }
                continue;
            };
            let answer = tokio::time::timeout(self.every, async {
                keeper.keep_alive().await?;
                answers.message().await
            })
            .await;
            match answer {
                Ok(Ok(Some(renewed))) if renewed.ttl() > 0 => {
                    let until = sent + Duration::from_secs(renewed.ttl() as u64);
                    publish.send_replace(Standing::Held { until });
                }
                Ok(Ok(Some(_))) => {
                    publish.send_replace(Standing::Expired);
                    return;
                }
                _ => stream = None,
            }
        }
    }

    /// Whether etcd says the lease no longer exists (its TTL is -1).
    async fn gone(&self, client: &mut Client) -> bool {
        let asked = tokio::time::timeout(self.every, client.lease_time_to_live(self.id, None));
        matches!(asked.await, Ok(Ok(answer)) if answer.ttl() <= 0)
    }
}
