//! `[mig]`: executors with their defaults, unknown keys and kinds, and bad
//! values, each named.

use std::path::Path;
use std::time::Duration;

use super::problems;
use crate::actuators::mig::config::{ExecutorConfig, MigConfig};
use crate::actuators::mig::executor::kube::KubeConfig;
use crate::actuators::mig::rollouts::RolloutSettings;
use crate::config::RunConfig;

fn mig(text: &str, base: &Path) -> MigConfig {
    RunConfig::parse(text, base)
        .unwrap_or_else(|problems| panic!("{problems:?}"))
        .mig
        .expect("[mig]")
}

#[test]
fn executors_with_defaults() {
    let config = mig(
        "[mig]\nexecutor = { kind = \"kubernetes\", server = \"http://127.0.0.1:8001\" }\n",
        Path::new("."),
    );
    assert_eq!(config.settings(), RolloutSettings::default());
    assert_eq!(
        config.executor,
        ExecutorConfig::Kubernetes(KubeConfig {
            server: "http://127.0.0.1:8001".into(),
            token_file: None,
            ca_file: None,
            timeout: Duration::from_secs(10),
        })
    );
    let command = mig(
        "[mig]\nidle_threshold = 0.1\nidle_timeout_ms = 1500\n\
         executor = { kind = \"command\", apply = [\"true\"], config_dir = \"mig\" }\n",
        Path::new("/etc/fulcrum"),
    );
    assert_eq!(command.settings().idle_threshold, 0.1);
    assert_eq!(command.idle_timeout, Duration::from_millis(1500));
    let ExecutorConfig::Command(executor) = &command.executor else {
        panic!("{command:?}")
    };
    assert_eq!(executor.config_dir, Path::new("/etc/fulcrum/mig"));
    assert_eq!(executor.timeout, Duration::from_secs(300));
}

#[test]
fn unknown_keys_and_kinds_are_rejected() {
    let err = &problems("[mig]\nexecutor = { kind = \"embedded\" }\nidle = 1\n")[0];
    assert!(err.contains("unknown field `idle`"), "{err}");
    let err = &problems("[mig]\nexecutor = { kind = \"ssh\" }\n")[0];
    assert!(err.contains("unknown variant `ssh`"), "{err}");
    let err = &problems("[mig]\nexecutor = { kind = \"embedded\", x = 1 }\n")[0];
    assert!(err.contains("x"), "{err}");
}

#[test]
fn bad_values_are_all_named() {
    assert_eq!(
        problems(
            "[mig]\nidle_threshold = 2.0\nidle_timeout_ms = 0\n\
             executor = { kind = \"command\", apply = [], config_dir = \"/tmp\" }\n",
        ),
        [
            "mig.idle_threshold (line 2): 2 is out of range; expected 0..=1",
            "mig.idle_timeout_ms (line 3): 0; expected a wait of at least 1 ms",
            "mig.executor.apply (line 4): empty; expected a program and its arguments",
        ]
    );
}
