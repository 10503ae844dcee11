//! [`PolicySlot`]: one configured policy as the engine runs it — the loaded
//! component, its state, when it is next due, its run of failures and
//! quarantine, and the file fingerprint hot reload compares against.

use std::path::Path;
use std::time::SystemTime;

use anyhow::anyhow;

use crate::config::PolicyConfig;
use crate::runtime::{PolicyEngine, PolicyState, PreparedPolicy, sha256_hex};

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

    /// Load the file again. On success the new component takes over (its
    /// state, keyed by the policy, carries on) and any quarantine is lifted;
    /// on failure the running component stays and the error is returned.
    pub fn reload(&mut self, engine: &PolicyEngine) -> anyhow::Result<()> {
        self.stamp = stamp(&self.config.spec.path);
        let prepared = load_pinned(engine, &self.config)?;
        self.prepared = prepared;
        self.failures = 0;
        self.quarantined = None;
        self.next_due_ms = 0;
        Ok(())
    }
}

fn load_pinned(engine: &PolicyEngine, config: &PolicyConfig) -> anyhow::Result<PreparedPolicy> {
    let path = &config.spec.path;
    if let Some(pin) = &config.sha256 {
        let bytes = std::fs::read(path).map_err(|err| anyhow!("{}: {err}", path.display()))?;
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
