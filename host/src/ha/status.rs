//! [`Membership`]: what `host status` shows of a replicated deployment:
//! who leads, in which term and since when, and the replicas standing by.

use std::time::{Duration, UNIX_EPOCH};

use super::HaConfig;
use super::election::{self, LeaderRecord};
use super::error::HaError;
use super::etcd::Etcd;
use super::keys::Keys;
use super::registration::{self, ReplicaRecord};

/// The replicas of a deployment, as etcd has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    /// The leader and its term; `None` while no one leads.
    pub leader: Option<(LeaderRecord, i64)>,
    /// Every replica alive (its lease holds), by name.
    pub replicas: Vec<ReplicaRecord>,
}

impl Membership {
    /// Read the deployment `config` names, taking no lease.
    pub async fn read(config: &HaConfig) -> Result<Membership, HaError> {
        let etcd = Etcd::connect(config).await?;
        let keys = Keys::new(&config.key_prefix);
        Ok(Membership {
            leader: election::leader(&etcd, &keys).await?,
            replicas: registration::replicas(&etcd, &keys).await?,
        })
    }

    /// One line for the leader, then one per standby.
    pub fn lines(&self) -> Vec<String> {
        let leader = self
            .leader
            .as_ref()
            .map(|(record, _)| record.replica.as_str());
        let mut lines = vec![match &self.leader {
            Some((record, term)) => {
                let since = UNIX_EPOCH + Duration::from_millis(record.since_ms);
                format!(
                    "leader  {} (term {term}, since {})",
                    record.replica,
                    humantime::format_rfc3339_seconds(since)
                )
            }
            None => "leader  none: no replica leads now".to_owned(),
        }];
        for replica in &self.replicas {
            if Some(replica.replica.as_str()) != leader {
                lines.push(format!("standby {} (pid {})", replica.replica, replica.pid));
            }
        }
        lines
    }
}
