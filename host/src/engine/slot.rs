//! [`PolicySlot`]: one configured policy as the engine runs it — the loaded
//! component, its state, when it is next due, its run of failures and
//! quarantine, the file fingerprint hot reload compares against, and a
//! reload in progress. A reload compiles on a thread of its own, so the
//! running version keeps its interval until the new one is ready.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::SystemTime;

use anyhow::anyhow;

use crate::config::PolicyConfig;
use crate::runtime::{PolicyEngine, PolicyState, PreparedPolicy, read_policy_file, sha256_hex};

/// A policy file's identity on disk: a change of either means "reload".
#[derive(Debug, Clone, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<FileStamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(FileStamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// One configured policy, loaded.
pub struct PolicySlot {
    pub config: PolicyConfig,
    pub prepared: PreparedPolicy,
    pub state: PolicyState,
    /// When it is next due (ms since the Unix epoch); 0 = at once.
    pub next_due_ms: u64,
    /// Failed evaluations in a row.
    pub failures: u32,
    /// Why it is quarantined, while it is.
    pub quarantined: Option<String>,
    stamp: Option<FileStamp>,
    reloading: Option<JoinHandle<anyhow::Result<PreparedPolicy>>>,
}

impl PolicySlot {
    /// Load the policy `config` names, refusing a file that does not match its pin.
    pub fn load(engine: &PolicyEngine, config: PolicyConfig) -> anyhow::Result<PolicySlot> {
        let stamp = stamp(&config.spec.path);
        let prepared = load_pinned(engine, &config)?;
        Ok(PolicySlot {
            config,
            prepared,
            state: PolicyState::default(),
            next_due_ms: 0,
            failures: 0,
            quarantined: None,
            stamp,
            reloading: None,
        })
    }

    /// The policy's name, from its metadata.
    pub fn name(&self) -> &str {
        self.prepared.name()
    }

    /// True when the file changed on disk since it was last loaded (or
    /// looked at by a failed reload).
    pub fn changed_on_disk(&self) -> bool {
        stamp(&self.config.spec.path) != self.stamp
    }

    /// True while a reload is compiling.
    pub fn reloading(&self) -> bool {
        self.reloading.is_some()
    }

    /// Start loading the file again, off the control loop. The running
    /// component stays until [`PolicySlot::finish_reload`] finds the load done.
    pub fn start_reload(&mut self, engine: &Arc<PolicyEngine>) {
        // Stamped before reading, so a change made while it loads is seen.
        let stamp_before = stamp(&self.config.spec.path);
        let (engine, config) = (Arc::clone(engine), self.config.clone());
        let load = move || load_pinned(&engine, &config);
        match std::thread::Builder::new()
            .name("fulcrum-reload".into())
            .spawn(load)
        {
            Ok(thread) => {
                self.stamp = stamp_before;
                self.reloading = Some(thread);
            }
            Err(error) => tracing::error!(
                path = %self.config.spec.path.display(),
                %error,
                "cannot start a thread to reload the policy; the next cycle tries again"
            ),
        }
    }

    /// The outcome of a reload that has finished, if one has. On success the
    /// new component takes over (its state, keyed by the policy, carries on)
    /// and any quarantine is lifted; on failure the running one stays.
    pub fn finish_reload(&mut self) -> Option<anyhow::Result<()>> {
        if !self.reloading.as_ref()?.is_finished() {
            return None;
        }
        let loaded = self
            .reloading
            .take()?
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Some(loaded.map(|prepared| {
            self.prepared = prepared;
            self.failures = 0;
            self.quarantined = None;
            self.next_due_ms = 0;
        }))
    }
}

fn load_pinned(engine: &PolicyEngine, config: &PolicyConfig) -> anyhow::Result<PreparedPolicy> {
    let path = &config.spec.path;
    if let Some(pin) = &config.sha256 {
        let bytes = read_policy_file(path)?;
        let digest = sha256_hex(&bytes);
        if &digest != pin {
            return Err(anyhow!(
                "{}: sha256 is {digest}, but the configuration pins {pin}; refusing to load it",
                path.display()
            ));
        }
    }
    Ok(engine.load(&config.spec)?)
}
