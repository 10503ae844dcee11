//! [`Keys`]: where Fulcrum keeps what replicas share in etcd, every key
//! under the configured prefix (`/fulcrum/` unless set):
//!
//! | key | value | written |
//! | --- | --- | --- |
//! | `leader` | the leader's name and since when, bound to its lease | by the campaign that won |
//! | `replicas/NAME` | a replica's name and start, bound to its lease | by each replica as it starts |
//! | `state/policy/NAME` | a policy's key-value state | by the leader, fenced |
//! | `state/clocks` | the guard clocks (cool-downs, stabilization windows) | by the leader, fenced |
//! | `state/mig-rollouts` | the MIG rollouts in progress | by the leader, fenced |
//! | `state/intents/CYCLE` | a cycle's changes, from before it applies them until it is recorded | by the leader, fenced |
//! | `state/cycle` | the last cycle recorded | by the leader, fenced |
//!
//! Values are JSON, so a field added later reads back as its default.

/// The keys of one deployment.
#[derive(Debug, Clone)]
pub struct Keys {
    prefix: String,
}

impl Keys {
    /// The keys under `prefix`, which ends with `/`.
    pub fn new(prefix: &str) -> Keys {
        Keys {
            prefix: prefix.to_owned(),
        }
    }

    /// The leader key; its create revision is the fence.
    pub fn leader(&self) -> String {
        format!("{}leader", self.prefix)
    }

    /// The prefix of every replica's key.
    pub fn replicas(&self) -> String {
        format!("{}replicas/", self.prefix)
    }

    /// Replica `name`'s key.
    pub fn replica(&self, name: &str) -> String {
        format!("{}{name}", self.replicas())
    }

    /// Policy `policy`'s state.
    pub fn policy_state(&self, policy: &str) -> String {
        format!("{}state/policy/{policy}", self.prefix)
    }

    /// The guard clocks.
    pub fn clocks(&self) -> String {
        format!("{}state/clocks", self.prefix)
    }

    /// The MIG rollouts in progress.
    pub fn mig_rollouts(&self) -> String {
        format!("{}state/mig-rollouts", self.prefix)
    }

    /// The last cycle recorded.
    pub fn cycle(&self) -> String {
        format!("{}state/cycle", self.prefix)
    }

    /// The prefix of every intent's key.
    pub fn intents(&self) -> String {
        format!("{}state/intents/", self.prefix)
    }

    /// Cycle `cycle`'s intent; zero-padded, so keys sort by cycle.
    pub fn intent(&self, cycle: u64) -> String {
        format!("{}{cycle:020}", self.intents())
    }
}
