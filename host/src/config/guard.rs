//! `[guard]`: the guard rails no policy can switch off ([`GuardRails`]).
//! Every key has a default, so an empty or absent table is a safe
//! configuration:
//!
//! ```toml
//! [guard]
//! min_enabled_members = 1              # per pool, and at least
//! min_enabled_share = 0.5              # this share of its members
//! min_group_size = 1
//! max_group_size = 1000
//! member_ratio_step = { count = 10, percent = 50 }
//! capacity_scaler_step = 0.5
//! scale_out_step = { count = 4, percent = 100 }   # HPA's scale-up policies
//! scale_in_step = { count = 1, percent = 10 }
//! scale_in_stabilization_secs = 300    # HPA's scale-down window
//! scale_out_cooldown_secs = 60         # GCE's initialization period
//! scale_in_cooldown_secs = 300
//! ```

use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use std::path::Path;

use super::problem::{Problem, Problems};
use super::resolve::{Resolve, Resolver};
use crate::guard::{GuardRails, StepLimit};

/// `[guard]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GuardToml {
    min_enabled_members: Option<u32>,
    min_enabled_share: Option<Spanned<f64>>,
    min_group_size: Option<Spanned<u32>>,
    max_group_size: Option<Spanned<u32>>,
    member_ratio_step: Option<StepLimitToml>,
    capacity_scaler_step: Option<Spanned<f64>>,
    scale_out_step: Option<StepLimitToml>,
    scale_in_step: Option<StepLimitToml>,
    scale_in_stabilization_secs: Option<u64>,
    scale_out_cooldown_secs: Option<u64>,
    scale_in_cooldown_secs: Option<u64>,
}

/// A `[guard]`-shaped table inside another file — a test fixture's
/// `[rails]`, a simulation scenario's `[guard]` — read with the same checks.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct GuardTable(Spanned<GuardToml>);

impl GuardTable {
    /// The rails, or every problem, each naming `name.key (line N)` in the
    /// file `text`.
    pub fn resolve(self, text: &str, name: &str) -> Result<GuardRails, Vec<Problem>> {
        let cx = Resolver::new(text, Path::new("."));
        let mut problems = Problems::default();
        let rails = cx.table(name, self.0, &mut problems);
        problems.finish(rails)
    }
}

/// A step limit as written: `{ count = 4, percent = 100 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepLimitToml {
    count: u32,
    percent: u32,
}

impl From<StepLimitToml> for StepLimit {
    fn from(step: StepLimitToml) -> StepLimit {
        StepLimit {
            count: step.count,
            percent: step.percent,
        }
    }
}

impl Resolve for GuardToml {
    type Output = GuardRails;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> GuardRails {
        let defaults = GuardRails::default();
        let min_enabled_share = match self.min_enabled_share {
            Some(share) if !(0.0..=1.0).contains(share.get_ref()) => {
                problems.push(cx.problem(
                    "min_enabled_share",
                    &share,
                    format_args!("{} is outside 0..=1", share.get_ref()),
                ));
                defaults.min_enabled_share
            }
            share => share.map_or(defaults.min_enabled_share, Spanned::into_inner),
        };
        let capacity_scaler_step = match self.capacity_scaler_step {
            Some(step) if !(*step.get_ref() > 0.0 && *step.get_ref() <= 1.0) => {
                problems.push(cx.problem(
                    "capacity_scaler_step",
                    &step,
                    format_args!("{} is outside (0, 1]", step.get_ref()),
                ));
                defaults.capacity_scaler_step
            }
            step => step.map_or(defaults.capacity_scaler_step, Spanned::into_inner),
        };
        let min_group_size = self
            .min_group_size
            .as_ref()
            .map_or(defaults.min_group_size, |min| *min.get_ref());
        let max_group_size = self
            .max_group_size
            .as_ref()
            .map_or(defaults.max_group_size, |max| *max.get_ref());
        if min_group_size > max_group_size {
            match (&self.min_group_size, &self.max_group_size) {
                (Some(min), _) => problems.push(cx.problem(
                    "min_group_size",
                    min,
                    format_args!("{min_group_size} is larger than max_group_size {max_group_size}"),
                )),
                (None, Some(max)) => problems.push(cx.problem(
                    "max_group_size",
                    max,
                    format_args!(
                        "{max_group_size} is smaller than min_group_size {min_group_size}"
                    ),
                )),
                // The defaults agree with each other.
                (None, None) => {}
            }
        }
        let secs =
            |written: Option<u64>, default: Duration| written.map_or(default, Duration::from_secs);
        GuardRails {
            min_enabled_members: self
                .min_enabled_members
                .unwrap_or(defaults.min_enabled_members),
            min_enabled_share,
            min_group_size,
            max_group_size,
            member_ratio_step: self
                .member_ratio_step
                .map_or(defaults.member_ratio_step, StepLimit::from),
            capacity_scaler_step,
            scale_out_step: self
                .scale_out_step
                .map_or(defaults.scale_out_step, StepLimit::from),
            scale_in_step: self
                .scale_in_step
                .map_or(defaults.scale_in_step, StepLimit::from),
            scale_in_stabilization: secs(
                self.scale_in_stabilization_secs,
                defaults.scale_in_stabilization,
            ),
            scale_out_cooldown: secs(self.scale_out_cooldown_secs, defaults.scale_out_cooldown),
            scale_in_cooldown: secs(self.scale_in_cooldown_secs, defaults.scale_in_cooldown),
        }
    }
}
