//! Hot reload between cycles: a policy whose file changed (or every policy,
//! on SIGHUP) starts loading on a thread of its own at the start of a cycle;
//! a load that has finished by the time the snapshot is collected takes over
//! for that cycle. The files' metadata is read off the async runtime.

use std::path::PathBuf;
use std::sync::Arc;

use super::slot::{FileStamp, PolicySlot};
use crate::blocking::blocking;
use crate::observe::{Observer, PolicyReloaded, ReloadFailed};
use crate::runtime::PolicyEngine;

/// Start reloading the policies whose files changed, or all when `all`.
pub(super) async fn start(runtime: &Arc<PolicyEngine>, policies: &mut [PolicySlot], all: bool) {
    let paths: Vec<PathBuf> = policies
        .iter()
        .map(|slot| slot.config.spec.path.clone())
        .collect();
    let stamps = blocking(move || paths.iter().map(|path| FileStamp::of(path)).collect()).await;
    let stamps: Vec<Option<FileStamp>> = stamps;
    for (slot, stamp) in policies.iter_mut().zip(stamps) {
        if !slot.reloading() && (all || slot.stamp_differs(&stamp)) {
            slot.start_reload(runtime, stamp);
        }
    }
}

/// Swap in the reloads that have finished; one line per finished reload.
pub(super) fn finish(policies: &mut [PolicySlot], observer: &Observer) -> Vec<String> {
    let mut lines = Vec::new();
    for slot in policies {
        let Some(reloaded) = slot.finish_reload() else {
            continue;
        };
        let (policy, path) = (slot.name(), &slot.config.spec.path);
        match reloaded {
            Ok(()) => {
                observer.emit(PolicyReloaded { policy, path });
                lines.push(format!("{policy}: reloaded {}", path.display()));
            }
            Err(error) => {
                observer.emit(ReloadFailed {
                    policy,
                    error: &error,
                });
                lines.push(format!(
                    "{policy}: reload failed, the running version stays: {error:#}"
                ));
            }
        }
    }
    lines
}
