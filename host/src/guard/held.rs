//! [`Held`]: pool members the host itself is changing over several cycles —
//! drained by a MIG rollout until it enables them again — whose state no
//! policy may change meanwhile (rule `held`). Their ratios stay open to
//! policies: a ratio does not route traffic to a disabled member.

use std::collections::HashMap;

use super::target::Target;

/// Members held by the host this cycle, each with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    members: HashMap<Target, String>,
}

impl Held {
    /// No member held.
    pub fn new() -> Self {
        Held::default()
    }

    /// Hold member `member` of pool `pool` (names as in the snapshot, or
    /// BIG-IP paths such as `/Common/mlPool`, whose last segment is the
    /// name), saying `why`.
    pub fn hold(&mut self, pool: &str, member: &str, why: impl Into<String>) {
        let target = Target::Member {
            pool: last_segment(pool).to_owned(),
            member: last_segment(member).to_owned(),
        };
        self.members.insert(target, why.into());
    }

    /// Why `target` is held, when it is.
    pub fn why(&self, target: &Target) -> Option<&str> {
        self.members.get(target).map(String::as_str)
    }

    /// Whether no member is held.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_names_hold_the_same_member() {
        let mut held = Held::new();
        held.hold(
            "/Common/mlPool",
            "/Common/ml-node-3:8080",
            "node ml-node-3: MIG rollout",
        );
        let target = Target::Member {
            pool: "mlPool".into(),
            member: "ml-node-3:8080".into(),
        };
        assert_eq!(held.why(&target), Some("node ml-node-3: MIG rollout"));
        let other = Target::Member {
            pool: "mlPool".into(),
            member: "ml-node-4:8080".into(),
        };
        assert_eq!(held.why(&other), None);
        assert!(!held.is_empty() && Held::new().is_empty());
    }
}
