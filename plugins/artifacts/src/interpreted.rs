//! The example policies written in Python and JavaScript, built into
//! components with their pinned toolchains (`scripts/policy-toolchains`
//! installs them) on first use in a process, and again only when a source
//! changed: the policy, its SDK, its build script, the WIT contract or the
//! recipes in this file.
//!
//! Unlike the Rust components, these are not built by the build script: the
//! toolchains are not Rust, and a workspace build must not need them.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// This file: how the components are built is a source too.
const RECIPES: &str = "plugins/artifacts/src/interpreted.rs";

/// The workspace root.
fn workspace() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// `plugins/gpu-weighting-py` built with `plugins/sdk-python/build`.
pub fn python_gpu_weighting() -> &'static str {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(&Recipe {
            output: "gpu_weighting_py.wasm",
            command: &["plugins/sdk-python/build", "plugins/gpu-weighting-py", "-o"],
            sources: &[
                RECIPES,
                "wit",
                "plugins/sdk-python/build",
                "plugins/sdk-python/src",
                "plugins/gpu-weighting-py/src",
            ],
        })
    })
}

/// `tests/python-plugins/print`, a Python policy that prints, built with
/// `plugins/sdk-python/build`.
pub fn python_print() -> &'static str {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(&Recipe {
            output: "python_print.wasm",
            command: &[
                "plugins/sdk-python/build",
                "tests/python-plugins/print",
                "-o",
            ],
            sources: &[
                RECIPES,
                "wit",
                "plugins/sdk-python/build",
                "plugins/sdk-python/src",
                "tests/python-plugins/print/src",
            ],
        })
    })
}

/// `plugins/gpu-weighting-js` built with `plugins/sdk-js/build`.
pub fn js_gpu_weighting() -> &'static str {
    static BUILT: OnceLock<String> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(&Recipe {
            output: "gpu_weighting_js.wasm",
            command: &[
                "plugins/sdk-js/build",
                "plugins/gpu-weighting-js/src/policy.js",
                "-o",
            ],
            sources: &[
                RECIPES,
                "wit",
                "plugins/sdk-js/build",
                "plugins/sdk-js/bundle.config.js",
                "plugins/sdk-js/src",
                "plugins/gpu-weighting-js/src",
            ],
        })
    })
}

/// How one component is built: the command (workspace-relative, the
/// output path appended) and the sources it is built from.
struct Recipe {
    output: &'static str,
    command: &'static [&'static str],
    sources: &'static [&'static str],
}

/// Build `recipe` into `target/interpreted/` unless the component there is
/// newer than every source; returns its path.
fn build(recipe: &Recipe) -> String {
    let root = workspace();
    let output = root.join("target/interpreted").join(recipe.output);
    let built = modified(&output);
    let newest_source = recipe
        .sources
        .iter()
        .filter_map(|source| newest(&root.join(source)))
        .max();
    if built.is_none() || built < newest_source {
        fs::create_dir_all(output.parent().expect("a folder")).expect("target/interpreted");
        let (program, args) = recipe.command.split_first().expect("a command");
        let status = Command::new(root.join(program))
            .args(args)
            .arg(&output)
            .current_dir(root)
            .status()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"));
        assert!(
            status.success(),
            "{program} failed ({status}) building {}; is the toolchain installed? \
             scripts/policy-toolchains installs it",
            recipe.output
        );
    }
    output.to_string_lossy().into_owned()
}

/// When `path` was last modified; `None` when it does not exist.
fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|meta| meta.modified()).ok()
}

/// The newest modification time of `path` and, for a folder, everything
/// under it (Python's byte-code caches aside).
fn newest(path: &Path) -> Option<SystemTime> {
    let own = modified(path);
    let Ok(entries) = fs::read_dir(path) else {
        return own;
    };
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|child| child.file_name().is_none_or(|name| name != "__pycache__"))
        .filter_map(|child| newest(&child))
        .chain(own)
        .max()
}
