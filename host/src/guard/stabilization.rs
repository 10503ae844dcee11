//! The guard's clocks: per instance group, the sizes recommended over the
//! scale-in stabilization window and when it was last scaled out and in. The
//! guard itself is pure; these clocks are its only memory, handed in and
//! handed back each cycle, and kept by the store across restarts.
//!
//! Stabilization follows Kubernetes HPA's scale-down window: every cycle
//! records one recommendation per group (the winning proposal, or the current
//! target size when no policy proposed a resize), and a scale-in goes no lower
//! than the highest recommendation within the window. Until a group has been
//! watched for a whole window, without a gap longer than the window, its
//! current size counts as recommended too, so a fresh start or a long outage
//! never scales in at once.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::rails::GuardRails;

/// Stabilization and cool-down state of every instance group, keyed by
/// `location/name`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardClocks {
    groups: BTreeMap<String, GroupClock>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupClock {
    /// Start of the current unbroken run of recommendations, in ms since the epoch.
    observed_since_ms: u64,
    /// The recommendations within the window, oldest first.
    recommendations: Vec<Recommendation>,
    last_scale_out_ms: Option<u64>,
    last_scale_in_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Recommendation {
    at_ms: u64,
    size: u32,
}

/// A resize refused because the group was resized too recently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CoolingDown {
    pub last_resize_ms: u64,
    pub until_ms: u64,
}

/// `wait` in whole milliseconds, the clocks' unit.
fn millis(wait: Duration) -> u64 {
    u64::try_from(wait.as_millis()).unwrap_or(u64::MAX)
}

fn within(at_ms: u64, now_ms: u64, window_ms: u64) -> bool {
    now_ms.saturating_sub(at_ms) < window_ms
}

impl GuardClocks {
    /// Record this cycle's recommendation for group `key`.
    pub(super) fn recommend(&mut self, key: &str, size: u32, now_ms: u64, rails: &GuardRails) {
        let window_ms = millis(rails.scale_in_stabilization);
        let clock = self.groups.entry(key.to_owned()).or_insert(GroupClock {
            observed_since_ms: now_ms,
            recommendations: Vec::new(),
            last_scale_out_ms: None,
            last_scale_in_ms: None,
        });
        let unbroken = clock
            .recommendations
            .last()
            .is_some_and(|last| within(last.at_ms, now_ms, window_ms));
        if !unbroken {
            clock.observed_since_ms = now_ms;
        }
        clock.recommendations.push(Recommendation {
            at_ms: now_ms,
            size,
        });
        clock
            .recommendations
            .retain(|r| within(r.at_ms, now_ms, window_ms));
    }

    /// The lowest size a scale-in of group `key` from `current` may reach
    /// now: the highest recommendation within the window; `None` when there
    /// is no constraint.
    pub(super) fn stabilized(
        &self,
        key: &str,
        current: u32,
        now_ms: u64,
        rails: &GuardRails,
    ) -> Option<u32> {
        let window_ms = millis(rails.scale_in_stabilization);
        let Some(clock) = self.groups.get(key) else {
            return (window_ms > 0).then_some(current);
        };
        let watched_too_briefly = within(clock.observed_since_ms, now_ms, window_ms);
        clock
            .recommendations
            .iter()
            .filter(|r| within(r.at_ms, now_ms, window_ms))
            .map(|r| r.size)
            .chain(watched_too_briefly.then_some(current))
            .max()
    }

    /// Whether group `key` must wait before scaling out (`scale_out`) or in.
    pub(super) fn cooling_down(
        &self,
        key: &str,
        scale_out: bool,
        now_ms: u64,
        rails: &GuardRails,
    ) -> Option<CoolingDown> {
        let clock = self.groups.get(key)?;
        let (last, cooldown) = if scale_out {
            (clock.last_scale_out_ms, rails.scale_out_cooldown)
        } else {
            let last = clock.last_scale_out_ms.max(clock.last_scale_in_ms);
            (last, rails.scale_in_cooldown)
        };
        let last = last?;
        let until_ms = last.saturating_add(millis(cooldown));
        (now_ms < until_ms).then_some(CoolingDown {
            last_resize_ms: last,
            until_ms,
        })
    }

    /// Note that group `key` was resized at `now_ms`.
    pub(super) fn record_resize(&mut self, key: &str, scale_out: bool, now_ms: u64) {
        if let Some(clock) = self.groups.get_mut(key) {
            if scale_out {
                clock.last_scale_out_ms = Some(now_ms);
            } else {
                clock.last_scale_in_ms = Some(now_ms);
            }
        }
    }

    /// Forget what can no longer matter: recommendations older than the
    /// window, and groups (gone from the fleet) with nothing left to remember.
    pub(super) fn prune(&mut self, now_ms: u64, rails: &GuardRails) {
        let window_ms = millis(rails.scale_in_stabilization);
        let cooldown_ms = millis(rails.scale_out_cooldown.max(rails.scale_in_cooldown));
        self.groups.retain(|_, clock| {
            clock
                .recommendations
                .retain(|r| within(r.at_ms, now_ms, window_ms));
            let resized_recently = clock
                .last_scale_out_ms
                .max(clock.last_scale_in_ms)
                .is_some_and(|at| within(at, now_ms, cooldown_ms));
            !clock.recommendations.is_empty() || resized_recently
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = 1000;

    fn rails() -> GuardRails {
        GuardRails::default()
    }

    #[test]
    fn scale_in_waits_for_the_highest_recommendation_to_leave_the_window() {
        let (rails, mut clocks) = (rails(), GuardClocks::default());
        // Watched for a full window at size 5, one cycle per 15 s.
        for t in (0..=300).step_by(15) {
            clocks.recommend("z/g", 5, t * SEC, &rails);
        }
        // From 315 s the policy asks for 2; 5 stays the floor for 300 s.
        for t in (315..600).step_by(15) {
            clocks.recommend("z/g", 2, t * SEC, &rails);
            assert_eq!(
                clocks.stabilized("z/g", 5, t * SEC, &rails),
                Some(5),
                "at {t} s"
            );
        }
        clocks.recommend("z/g", 2, 600 * SEC, &rails);
        assert_eq!(clocks.stabilized("z/g", 5, 600 * SEC, &rails), Some(2));
    }

    #[test]
    fn a_group_not_yet_watched_for_a_window_keeps_its_current_size() {
        let (rails, mut clocks) = (rails(), GuardClocks::default());
        assert_eq!(clocks.stabilized("z/g", 6, 0, &rails), Some(6));
        clocks.recommend("z/g", 1, 10 * SEC, &rails);
        assert_eq!(clocks.stabilized("z/g", 6, 10 * SEC, &rails), Some(6));
        // A gap longer than the window starts the watch again.
        for t in (25..=310).step_by(15) {
            clocks.recommend("z/g", 1, t * SEC, &rails);
        }
        assert_eq!(clocks.stabilized("z/g", 6, 310 * SEC, &rails), Some(1));
        clocks.recommend("z/g", 1, 2000 * SEC, &rails);
        assert_eq!(clocks.stabilized("z/g", 6, 2000 * SEC, &rails), Some(6));
    }

    #[test]
    fn a_zero_window_imposes_nothing() {
        let rails = GuardRails {
            scale_in_stabilization: Duration::ZERO,
            ..rails()
        };
        let mut clocks = GuardClocks::default();
        clocks.recommend("z/g", 1, 0, &rails);
        assert_eq!(clocks.stabilized("z/g", 6, 0, &rails), None);
    }

    #[test]
    fn cool_downs_run_from_the_last_resize() {
        let (rails, mut clocks) = (rails(), GuardClocks::default());
        clocks.recommend("z/g", 4, 0, &rails);
        clocks.record_resize("z/g", true, 100 * SEC);
        let out = clocks.cooling_down("z/g", true, 130 * SEC, &rails).unwrap();
        assert_eq!(out.until_ms, 160 * SEC);
        assert_eq!(clocks.cooling_down("z/g", true, 160 * SEC, &rails), None);
        // Scale-in waits 300 s after any resize, a scale-out included.
        assert_eq!(
            clocks
                .cooling_down("z/g", false, 399 * SEC, &rails)
                .map(|c| c.until_ms),
            Some(400 * SEC)
        );
        assert_eq!(clocks.cooling_down("z/g", false, 400 * SEC, &rails), None);
    }

    #[test]
    fn prune_forgets_groups_with_nothing_to_remember() {
        let (rails, mut clocks) = (rails(), GuardClocks::default());
        clocks.recommend("z/gone", 4, 0, &rails);
        clocks.recommend("z/resized", 4, 0, &rails);
        clocks.record_resize("z/resized", false, 200 * SEC);
        clocks.prune(400 * SEC, &rails);
        assert!(!clocks.groups.contains_key("z/gone"));
        assert!(clocks.groups.contains_key("z/resized"));
        let json = serde_json::to_string(&clocks).unwrap();
        assert_eq!(serde_json::from_str::<GuardClocks>(&json).unwrap(), clocks);
    }
}
