//! `[guard]`: the defaults, durations, and refused keys and values.

use std::path::Path;
use std::time::Duration;

use super::problems;
use crate::config::RunConfig;
use crate::guard::{GuardRails, StepLimit};

fn rails(text: &str) -> GuardRails {
    RunConfig::parse(text, Path::new("."))
        .unwrap_or_else(|problems| panic!("{problems:?}"))
        .guard
}

#[test]
fn an_empty_or_absent_table_gives_the_defaults() {
    assert_eq!(rails("[guard]\n"), GuardRails::default());
    assert_eq!(rails(""), GuardRails::default());
    assert_eq!(
        GuardRails::default().scale_in_stabilization,
        Duration::from_secs(300)
    );
}

#[test]
fn every_key_is_read() {
    let rails = rails(
        "[guard]\nmin_enabled_members = 2\nmin_enabled_share = 0.25\nmin_group_size = 3\n\
         max_group_size = 9\nmember_ratio_step = { count = 5, percent = 20 }\n\
         capacity_scaler_step = 0.1\nscale_out_step = { count = 2, percent = 50 }\n\
         scale_in_step = { count = 3, percent = 5 }\nscale_in_stabilization_secs = 30\n\
         scale_out_cooldown_secs = 6\nscale_in_cooldown_secs = 12\n",
    );
    assert_eq!(
        rails,
        GuardRails {
            min_enabled_members: 2,
            min_enabled_share: 0.25,
            min_group_size: 3,
            max_group_size: 9,
            member_ratio_step: StepLimit {
                count: 5,
                percent: 20
            },
            capacity_scaler_step: 0.1,
            scale_out_step: StepLimit {
                count: 2,
                percent: 50
            },
            scale_in_step: StepLimit {
                count: 3,
                percent: 5
            },
            scale_in_stabilization: Duration::from_secs(30),
            scale_out_cooldown: Duration::from_secs(6),
            scale_in_cooldown: Duration::from_secs(12),
        }
    );
}

#[test]
fn unknown_keys_and_bad_values_are_refused() {
    let err = &problems("[guard]\nmin_enabled = 2\n")[0];
    assert!(err.contains("unknown field `min_enabled`"), "{err}");
    let err = &problems("[guard]\nscale_in_step = { count = 1, share = 2 }\n")[0];
    assert!(err.contains("unknown field `share`"), "{err}");
    assert_eq!(
        problems(
            "[guard]\nmin_enabled_share = 1.5\ncapacity_scaler_step = 0\n\
             min_group_size = 9\nmax_group_size = 3",
        ),
        [
            "guard.min_enabled_share (line 2): 1.5 is outside 0..=1",
            "guard.capacity_scaler_step (line 3): 0 is outside (0, 1]",
            "guard.min_group_size (line 4): 9 is larger than max_group_size 3",
        ]
    );
    assert_eq!(
        problems("[guard]\nmax_group_size = 0"),
        ["guard.max_group_size (line 2): 0 is smaller than min_group_size 1"]
    );
}
