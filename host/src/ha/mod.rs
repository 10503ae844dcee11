//! High availability: replicas of one deployment elect a leader on etcd;
//! only the leader collects and applies, and a standby takes over when the
//! leader's lease lapses, carrying on from the state it left in etcd.
//! Without `[ha]` none of this runs: the host runs alone on its own store.
//!
//! - `election`: a campaign creates the leader key, bound to the
//!   replica's `lease`, if no one holds it; the key's create revision is
//!   the leader's term.
//! - [`Leadership`]: the fence. Every write the leader makes to etcd is a
//!   transaction conditional on the leader key's create revision being its
//!   term; before applying, it confirms with a linearizable read that it
//!   still leads and that its lease outlasts the apply margin; it applies
//!   under its lease, and stops the moment the lease lapses.
//! - [`SharedStore`]: policy state, guard clocks, intents, MIG rollouts and
//!   the cycle count in etcd, written under the fence; the audit log per
//!   replica, each record naming the replica that applied the cycle.
//! - [`Replica`]: each cycle's turn — keep the lead, or campaign, and on
//!   taking the lead read the shared state into the engine.
//! - [`Membership`]: the leader and the standbys, for `host status`.
//!
//! # What a stale leader can do
//!
//! A leader paused (SIGSTOP, a frozen VM) or cut off from etcd does not
//! know it lost the lead, so its own clock bounds it: a renewal sent at `t`
//! and answered with TTL `T` holds the lease at etcd until at least `t + T`,
//! and the replica counts its lease as lapsed at `t + T` on its monotonic
//! clock, which runs on while the process is stopped. No standby can lead
//! before the lease expires at etcd. So, in the window:
//!
//! - **etcd**: nothing. Every write carries the fence; once another replica
//!   created the leader key, each write of the old one fails.
//! - **BIG-IP and GCE**: only what it had already sent. A cycle starts
//!   applying only after a confirmation that found more than the apply
//!   margin of lease left; the apply stage runs under the lease and is
//!   dropped where it stands when the lease lapses, and a process resumed
//!   past its deadline looks at the lapse before sending anything more. A
//!   request already on its way (a pool's transaction commit, a resize, a
//!   MIG rollout step, all of the one confirmed cycle) can still land after
//!   the new leader took over. Each is an absolute value planned from that
//!   cycle's observation, its intent and the guard clocks it moved are
//!   already in etcd, and the new leader's next cycle reads what holds.
//!   With an apply margin above the time an apply stage takes, the old
//!   leader's writes are all sent before its lease can expire at etcd.

mod config;
mod election;
mod error;
mod etcd;
mod keys;
mod leadership;
mod lease;
mod registration;
mod replica;
mod shared;
mod status;

pub use config::{EtcdAuth, EtcdTls, HaConfig};
pub use error::HaError;
pub use leadership::Leadership;
pub use replica::{Replica, Role};
pub use shared::SharedStore;
pub use status::Membership;
