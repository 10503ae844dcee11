//! Compiled components cached on disk, keyed by the component's content hash
//! and the engine's compatibility hash, so a restart does not recompile and an
//! upgraded host never loads code compiled for another engine.
//!
//! Loading compiled code is `unsafe` in wasmtime (the bytes are trusted to be
//! its own output), so each file carries a SHA-256 sidecar written after it;
//! a file whose digest does not match — torn, truncated or tampered — is
//! recompiled, never deserialized.

#![allow(
    unsafe_code,
    reason = "deserializing compiled code: sound only for this engine's own output, checked by digest below"
)]

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Where compiled components live; `None` disables the cache.
#[derive(Debug, Clone)]
pub(crate) struct ComponentCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

impl ComponentCache {
    pub(crate) fn new(dir: Option<PathBuf>, engine: &Engine) -> Self {
        let mut hasher = ShaHasher(Sha256::new());
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = hex::encode(&hasher.0.finalize()[..8]);
        ComponentCache { dir, engine_key }
    }

    /// The component for `wasm` (whose hex SHA-256 is `digest`), from the cache
    /// when a sound entry exists, compiled (and cached) otherwise.
    pub(crate) fn component(
        &self,
        engine: &Engine,
        wasm: &[u8],
        digest: &str,
    ) -> wasmtime::Result<Component> {
        let Some(dir) = &self.dir else {
            return Component::new(engine, wasm);
        };
        let path = dir.join(format!("{digest}-{}.cwasm", self.engine_key));
        if let Some(component) = load_verified(engine, &path) {
            return Ok(component);
        }
        let compiled = engine.precompile_component(wasm)?;
        if let Err(error) = store(dir, &path, &compiled) {
            tracing::warn!(path = %path.display(), %error, "cannot write the compiled-policy cache");
        }
        // Safety: `compiled` is this engine's own output, produced just above.
        unsafe { Component::deserialize(engine, &compiled) }
    }
}

fn sidecar(path: &Path) -> PathBuf {
    path.with_extension("cwasm.sha256")
}

fn load_verified(engine: &Engine, path: &Path) -> Option<Component> {
    let bytes = std::fs::read(path).ok()?;
    let expected = std::fs::read_to_string(sidecar(path)).ok()?;
    if sha256_hex(&bytes) != expected.trim() {
        tracing::warn!(path = %path.display(), "compiled-policy cache entry is corrupt; recompiling");
        return None;
    }
    // Safety: the file sits in the host's own cache directory, its name carries
    // this engine's compatibility hash, and its digest matches the sidecar
    // written after it, so these are bytes this host's engine produced.
    unsafe { Component::deserialize(engine, &bytes) }.ok()
}

fn store(dir: &Path, path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomically(path, compiled)?;
    write_atomically(&sidecar(path), sha256_hex(compiled).as_bytes())
}

/// Write to a temporary file beside `path`, sync, then rename over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Feeds a `Hash` implementation into SHA-256, for a hash stable across runs.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
