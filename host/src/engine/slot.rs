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

use crate::config::{PolicyConfig, PolicyMode};
use crate::runtime::{PolicyEngine, PolicyState, PreparedPolicy, read_policy_file, sha256_hex};

/// A policy file's identity on disk: a change of either means "reload".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl FileStamp {
    /// The stamp of the file at `path`; `None` when it cannot be read.
    /// Reads the file system: call it off the async runtime.
    pub(super) fn of(path: &Path) -> Option<FileStamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(FileStamp {
            modified: meta.modified().ok(),
            len: meta.len(),
        })
    }
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
        let stamp = FileStamp::of(&config.spec.path);
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

    /// True for a shadow policy: evaluated and compared, never applied.
    pub fn is_shadow(&self) -> bool {
        self.config.mode == PolicyMode::Shadow
    }

    /// Where the store keeps the policy's state: its name, and a name of
    /// their own for shadows, so a shadow of a new version of a live policy
    /// never shares its state.
    pub fn state_key(&self) -> String {
        match self.config.mode {
            PolicyMode::Live => self.name().to_owned(),
            PolicyMode::Shadow => format!("shadow/{}", self.name()),
        }
    }

    /// True when `now`, the file's stamp as just read, differs from the one
    /// it was last loaded with (or looked at by a failed reload).
    pub(super) fn stamp_differs(&self, now: &Option<FileStamp>) -> bool {
        *now != self.stamp
    }

    /// True while a reload is compiling.
    pub fn reloading(&self) -> bool {
        self.reloading.is_some()
    }

    /// Start loading the file again, off the control loop. The running
    /// component stays until [`PolicySlot::finish_reload`] finds the load done.
    /// `stamp_before` is the file's stamp read before the load starts, so a
    /// change made while it loads is seen.
    pub(super) fn start_reload(
        &mut self,
        engine: &Arc<PolicyEngine>,
        stamp_before: Option<FileStamp>,
    ) {
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
