//! Compiled policies are cached on disk and a damaged entry is recompiled.

use fulcrum_host::runtime::{EngineConfig, PolicyEngine};
use fulcrum_tests::{artifacts, evaluate_once, fleet_snapshot, load};

fn cached_engine(dir: &std::path::Path) -> PolicyEngine {
    PolicyEngine::new(&EngineConfig {
        cache_dir: Some(dir.to_owned()),
        max_instances: 4,
    })
    .unwrap()
}

fn cache_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn a_compiled_policy_is_cached_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    load(&cached_engine(dir.path()), artifacts::EMPTY, "{}").unwrap();
    let files = cache_files(dir.path());
    assert_eq!(
        files.len(),
        2,
        "the compiled component and its digest: {files:?}"
    );
    let modified = std::fs::metadata(&files[0]).unwrap().modified().unwrap();

    let policy = load(&cached_engine(dir.path()), artifacts::EMPTY, "{}").unwrap();
    evaluate_once(&policy, &fleet_snapshot(1)).unwrap();
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().modified().unwrap(),
        modified,
        "read, not rewritten"
    );
}

#[test]
fn a_corrupt_cache_entry_is_recompiled_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    load(&cached_engine(dir.path()), artifacts::EMPTY, "{}").unwrap();
    let compiled = cache_files(dir.path())
        .into_iter()
        .find(|p| p.extension().unwrap() == "cwasm")
        .unwrap();
    let mut bytes = std::fs::read(&compiled).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&compiled, &bytes).unwrap();

    let policy = load(&cached_engine(dir.path()), artifacts::EMPTY, "{}").unwrap();
    evaluate_once(&policy, &fleet_snapshot(1)).unwrap();
    assert_ne!(
        std::fs::read(&compiled).unwrap(),
        bytes,
        "the entry was rewritten"
    );
}
