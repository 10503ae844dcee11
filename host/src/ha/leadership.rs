//! [`Leadership`]: whether this replica leads, and the fence that every
//! write it makes to etcd carries. The engine asks it before applying
//! ([`Leadership::confirm`]) and applies under it
//! ([`Leadership::while_leading`]); the shared state writes through it
//! ([`Leadership::fenced`]).
//!
//! The fence is the term: the leader key's create revision. etcd gives each
//! creation of the key a new, higher revision, so a transaction comparing it
//! succeeds only while the key this replica created still exists: never
//! after its lease expired, whoever leads since.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use etcd_client::{Compare, CompareOp, Txn, TxnOp};

use super::election::LeaderRecord;
use super::error::HaError;
use super::etcd::Etcd;
use super::keys::Keys;
use super::lease::Lease;

/// This replica's leadership, shared by the loop that campaigns, the
/// engine that applies and the state that is written. Cheap to clone.
#[derive(Clone)]
pub struct Leadership {
    inner: Arc<Inner>,
}

struct Inner {
    etcd: Etcd,
    keys: Keys,
    /// Lease time that must remain to start applying.
    margin: Duration,
    leading: Mutex<Option<Leading>>,
}

/// A term this replica leads.
#[derive(Clone)]
struct Leading {
    /// The leader key's create revision.
    term: i64,
    lease: Arc<Lease>,
}

impl Leadership {
    pub(super) fn new(etcd: Etcd, keys: Keys, margin: Duration) -> Leadership {
        Leadership {
            inner: Arc::new(Inner {
                etcd,
                keys,
                margin,
                leading: Mutex::new(None),
            }),
        }
    }

    /// From now on this replica leads term `term` under `lease`.
    pub(super) fn lead(&self, term: i64, lease: Arc<Lease>) {
        *self.lock() = Some(Leading { term, lease });
    }

    /// From now on this replica does not lead.
    pub(super) fn step_down(&self) {
        *self.lock() = None;
    }

    /// The term this replica leads, if it does.
    pub fn term(&self) -> Option<i64> {
        self.leading().map(|leading| leading.term)
    }

    fn leading(&self) -> Option<Leading> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Leading>> {
        self.inner
            .leading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Confirm, right before applying, that this replica still leads: its
    /// lease holds for more than the apply margin, and a linearizable read
    /// finds the leader key still the one it created. Returns how long the
    /// confirmation took. Any failure steps this replica down: it applies
    /// nothing until it leads again.
    pub async fn confirm(&self) -> Result<Duration, HaError> {
        let started = Instant::now();
        let confirmed = self.check().await;
        if confirmed.is_err() {
            self.step_down();
        }
        confirmed.map(|()| started.elapsed())
    }

    async fn check(&self) -> Result<(), HaError> {
        let leading = self.leading().ok_or(HaError::NotLeader)?;
        self.enough_left(&leading.lease)?;
        let key = self.inner.keys.leader();
        let read = self
            .inner
            .etcd
            .call("confirming leadership", move |mut client| async move {
                client.get(key, None).await
            })
            .await?;
        let Some(kv) = read.kvs().first() else {
            return Err(HaError::KeyGone);
        };
        if kv.create_revision() != leading.term || kv.lease() != leading.lease.id() {
            let leader = serde_json::from_slice::<LeaderRecord>(kv.value())
                .map_or_else(|_| "another replica".to_owned(), |record| record.replica);
            return Err(HaError::Superseded { leader });
        }
        // The read took time: the lease must still outlast an apply.
        self.enough_left(&leading.lease)
    }

    fn enough_left(&self, lease: &Lease) -> Result<(), HaError> {
        let left = lease.left();
        if left > self.inner.margin {
            Ok(())
        } else {
            Err(HaError::LeaseShort {
                left,
                margin: self.inner.margin,
            })
        }
    }

    /// Run `work` (writes to the backends) while the lease holds. If it
    /// lapses first, `work` is dropped where it stands, sending nothing
    /// more, and this replica steps down.
    pub async fn while_leading<F: Future>(&self, work: F) -> Result<F::Output, HaError> {
        let leading = self.leading().ok_or(HaError::NotLeader)?;
        // The lapse is looked at first: woken past its deadline (a paused
        // process resumed), the work is not polled again.
        tokio::select! {
            biased;
            () = leading.lease.lapsed() => {
                self.step_down();
                Err(HaError::Lapsed)
            }
            done = work => Ok(done),
        }
    }

    /// Commit `ops` in one transaction if, and only if, the leader key is
    /// still the one this replica created. Blocks until etcd answers.
    pub fn fenced(&self, operation: &'static str, ops: Vec<TxnOp>) -> Result<(), HaError> {
        let term = self.term().ok_or(HaError::NotLeader)?;
        let txn = Txn::new()
            .when([Compare::create_revision(
                self.inner.keys.leader(),
                CompareOp::Equal,
                term,
            )])
            .and_then(ops);
        let answer = self
            .inner
            .etcd
            .call_blocking(
                operation,
                move |mut client| async move { client.txn(txn).await },
            )?;
        if answer.succeeded() {
            Ok(())
        } else {
            self.step_down();
            Err(HaError::Fenced { operation, term })
        }
    }
}
