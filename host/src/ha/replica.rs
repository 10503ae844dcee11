//! [`Replica`]: one replica's turn at the start of every cycle. A leader
//! whose lease holds keeps the lead; any other replica campaigns, and one
//! that wins reads the shared state into the engine before its first cycle,
//! so it carries on where the last leader stopped. Only a leader's cycles
//! run; a standby keeps its policies loaded and compiled, so taking over
//! costs a campaign and a few reads.

use std::sync::Arc;
use std::time::Duration;

use super::HaConfig;
use super::election::{self, Campaign};
use super::error::HaError;
use super::etcd::Etcd;
use super::keys::Keys;
use super::leadership::Leadership;
use super::lease::Lease;
use super::registration::{self, ReplicaRecord};
use super::shared::SharedStore;
use crate::engine::Engine;
use crate::error_chain::with_causes;
use crate::observe::{LeadTaken, Observer, RoleChanged};
use crate::store::{StateError, Store};

/// What this replica does this turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// It leads: its cycle runs, and applies once confirmed.
    Leader,
    /// Replica `leader` leads; this one waits, ready.
    Standby { leader: String },
    /// etcd cannot be reached or refused: this replica applies nothing.
    Unavailable { why: String },
}

/// One replica of a deployment.
pub struct Replica {
    etcd: Etcd,
    keys: Keys,
    record: ReplicaRecord,
    lease_ttl: Duration,
    lease: Arc<Lease>,
    leadership: Leadership,
    observer: Observer,
    /// The last term this replica led, so leading it again after a doubt
    /// is not counted as a takeover.
    last_term: Option<i64>,
    /// The role of the last turn.
    role: Option<Role>,
}

impl Replica {
    /// Connect to etcd, take a lease and register as `config.replica`. A
    /// replica of the same name still registered (a process that just died
    /// and whose lease has not expired yet) is waited for, up to a lease TTL.
    pub async fn start(
        config: &HaConfig,
        observer: Observer,
        now_ms: u64,
    ) -> Result<Replica, HaError> {
        let etcd = Etcd::connect(config).await?;
        let keys = Keys::new(&config.key_prefix);
        let lease = Arc::new(Lease::grant(&etcd, config.lease_ttl).await?);
        let record = ReplicaRecord {
            replica: config.replica.clone(),
            started_ms: now_ms,
            pid: std::process::id(),
        };
        let give_up = tokio::time::Instant::now() + config.lease_ttl + Duration::from_secs(1);
        loop {
            match registration::register(&etcd, &keys, &record, &lease).await {
                Err(HaError::NameTaken { .. }) if tokio::time::Instant::now() < give_up => {
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                registered => break registered?,
            }
        }
        let leadership = Leadership::new(etcd.clone(), keys.clone(), config.apply_margin);
        Ok(Replica {
            etcd,
            keys,
            record,
            lease_ttl: config.lease_ttl,
            lease,
            leadership,
            observer,
            last_term: None,
            role: None,
        })
    }

    /// This replica's name.
    pub fn name(&self) -> &str {
        &self.record.replica
    }

    /// The leadership the engine applies under.
    pub fn leadership(&self) -> Leadership {
        self.leadership.clone()
    }

    /// The engine's state: shared in etcd under the fence, with its audit
    /// log in `local`.
    pub fn shared_store(&self, local: Store) -> SharedStore {
        SharedStore::new(
            self.etcd.clone(),
            self.keys.clone(),
            self.leadership.clone(),
            self.name(),
            local,
        )
    }

    /// Take this turn's role, at `now_ms`. A replica that takes the lead
    /// reads the shared state into `engine` first; if it cannot, it does
    /// not lead.
    pub async fn turn(&mut self, engine: &mut Engine, now_ms: u64) -> Role {
        let role = match self.try_turn(engine, now_ms).await {
            Ok(role) => role,
            Err(why) => {
                self.leadership.step_down();
                Role::Unavailable {
                    why: with_causes(&why),
                }
            }
        };
        if self.role.as_ref() != Some(&role) {
            self.observer.emit(RoleChanged {
                replica: self.name(),
                role: &role,
            });
            self.role = Some(role.clone());
        }
        role
    }

    async fn try_turn(&mut self, engine: &mut Engine, now_ms: u64) -> Result<Role, StateError> {
        if self.lease.expired() {
            self.leadership.step_down();
            self.lease = Arc::new(Lease::grant(&self.etcd, self.lease_ttl).await?);
            registration::register(&self.etcd, &self.keys, &self.record, &self.lease).await?;
        }
        if self.leadership.term().is_some() && !self.lease.left().is_zero() {
            return Ok(Role::Leader);
        }
        self.leadership.step_down();
        if self.lease.left().is_zero() {
            // Renewals are not getting through; a campaign would not either.
            return Err(HaError::Lapsed.into());
        }
        let campaign =
            election::campaign(&self.etcd, &self.keys, self.name(), &self.lease, now_ms).await?;
        match campaign {
            Campaign::Won { term } => {
                self.leadership.lead(term, Arc::clone(&self.lease));
                engine.restore()?;
                let new_term = self.last_term != Some(term);
                self.last_term = Some(term);
                self.observer.emit(LeadTaken {
                    replica: self.name(),
                    term,
                    new_term,
                });
                Ok(Role::Leader)
            }
            Campaign::Lost { leader } => Ok(Role::Standby {
                leader: leader.replica,
            }),
        }
    }

    /// Leave: give the lease back, so a standby takes over at once instead
    /// of a lease TTL later.
    pub async fn resign(self) {
        self.leadership.step_down();
        self.lease.revoke(&self.etcd).await;
    }
}
