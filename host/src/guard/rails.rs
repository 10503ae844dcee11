//! Guard rails: limits the operator sets once for the whole host (the
//! `[guard]` table of the configuration file, read in `config::guard`) and
//! that no policy can switch off. Every limit has a default, anchored on
//! Kubernetes HPA and the GCE autoscaler where those have one, so the
//! defaults are a safe configuration.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The host's guard rails. Serialized only as the store records a cycle's
/// rails beside its snapshot; the file's `[guard]` is `config::guard`'s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardRails {
    /// Fewest members of every pool that stay serving (enabled, and not
    /// marked offline by the health monitor).
    pub min_enabled_members: u32,
    /// Smallest share of every pool's members, 0..=1, that stays serving; the
    /// larger of this and `min_enabled_members` applies, at most the pool's size.
    pub min_enabled_share: f64,
    /// Smallest target size of any instance group; a group's own minimum from
    /// the snapshot applies too, whichever is larger.
    pub min_group_size: u32,
    /// Largest target size of any instance group; a group's own maximum from
    /// the snapshot applies too, whichever is smaller.
    pub max_group_size: u32,
    /// Largest change of a member's ratio in one cycle.
    pub member_ratio_step: StepLimit,
    /// Largest change of a backend's capacity scaler in one cycle, 0..=1.
    pub capacity_scaler_step: f64,
    /// Most instances a group may grow by in one cycle.
    pub scale_out_step: StepLimit,
    /// Most instances a group may shrink by in one cycle.
    pub scale_in_step: StepLimit,
    /// A group shrinks only to the largest size recommended within this
    /// window (HPA's scale-down stabilization window).
    pub scale_in_stabilization: Duration,
    /// Wait after a scale-out before the next one, so new capacity shows up
    /// in telemetry first (GCE's initialization period).
    pub scale_out_cooldown: Duration,
    /// Wait after any resize before a scale-in.
    pub scale_in_cooldown: Duration,
}

impl Default for GuardRails {
    fn default() -> Self {
        GuardRails {
            min_enabled_members: 1,
            min_enabled_share: 0.5,
            min_group_size: 1,
            max_group_size: 1000,
            member_ratio_step: StepLimit {
                count: 10,
                percent: 50,
            },
            capacity_scaler_step: 0.5,
            scale_out_step: StepLimit {
                count: 4,
                percent: 100,
            },
            scale_in_step: StepLimit {
                count: 1,
                percent: 10,
            },
            scale_in_stabilization: Duration::from_secs(300),
            scale_out_cooldown: Duration::from_secs(60),
            scale_in_cooldown: Duration::from_secs(300),
        }
    }
}

/// A per-cycle change limit: the larger of a count and a percentage of the
/// current value (HPA's `selectPolicy: Max`), and never less than 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepLimit {
    pub count: u32,
    pub percent: u32,
}

impl StepLimit {
    /// The largest step allowed from `current`.
    pub fn allowed(self, current: u32) -> u32 {
        let share = (u64::from(current) * u64::from(self.percent)).div_ceil(100);
        u32::try_from(share)
            .unwrap_or(u32::MAX)
            .max(self.count)
            .max(1)
    }
}

impl fmt::Display for StepLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} or {}%", self.count, self.percent)
    }
}

impl GuardRails {
    /// How many of a pool's `members` must stay serving.
    pub fn required_serving(&self, members: u32) -> u32 {
        let share = self.min_enabled_share.clamp(0.0, 1.0) * f64::from(members);
        // Float error must not turn an exact share into one more member.
        let by_share = (share - 1e-9).ceil().max(0.0) as u32;
        self.min_enabled_members.max(by_share).min(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_is_the_larger_of_count_and_percent_and_at_least_one() {
        let step = StepLimit {
            count: 4,
            percent: 100,
        };
        assert_eq!(step.allowed(2), 4);
        assert_eq!(step.allowed(10), 10);
        let tight = StepLimit {
            count: 0,
            percent: 10,
        };
        assert_eq!(tight.allowed(3), 1);
        assert_eq!(tight.allowed(25), 3);
    }

    #[test]
    fn required_serving_takes_the_larger_rule_capped_at_pool_size() {
        let rails = GuardRails::default();
        assert_eq!(rails.required_serving(4), 2);
        assert_eq!(rails.required_serving(5), 3);
        assert_eq!(rails.required_serving(1), 1);
        assert_eq!(rails.required_serving(0), 0);
        let count_only = GuardRails {
            min_enabled_members: 3,
            min_enabled_share: 0.0,
            ..GuardRails::default()
        };
        assert_eq!(count_only.required_serving(10), 3);
        assert_eq!(count_only.required_serving(2), 2);
    }
}
