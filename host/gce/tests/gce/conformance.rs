//! The simulator as google-api-python-client sees it: conformance.py and
//! operator_verbs.py, sharing gapi.py, each against a fresh simulator. A
//! missing Python or package fails the test; it never skips.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fulcrum_gce::sim::Faults;

use crate::common::{PROJECT, ZONE, start_sim};

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

/// Runs `script` (in this directory) against a fresh seeded simulator and
/// expects it to print `{done} OK`.
async fn run_script(script: &str, done: &str) {
    let python = python();
    let probe = tokio::process::Command::new(&python)
        .args(["-c", "import googleapiclient, google.auth, google.api_core"])
        .output()
        .await
        .unwrap_or_else(|error| panic!("cannot run {python}: {error}; install Python 3 and `pip install google-api-python-client`"));
    assert!(
        probe.status.success(),
        "{python} lacks google-api-python-client (pip install google-api-python-client): {}",
        String::from_utf8_lossy(&probe.stderr)
    );

    let server = start_sim(Faults::default()).await;
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/gce")
        .join(script);
    let run = tokio::process::Command::new(&python)
        .arg(&path)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args([
            server.api_root(),
            format!("http://{}", server.addr()),
            PROJECT.to_owned(),
            ZONE.to_owned(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("script finishes within 120 s")
        .expect("script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains(&format!("{done} OK")), "{stdout}");
    server.shutdown().await;
}

#[tokio::test]
async fn google_api_python_client_drives_the_simulator() {
    run_script("conformance.py", "conformance").await;
}

#[tokio::test]
async fn google_api_python_client_runs_the_operator_verbs() {
    run_script("operator_verbs.py", "operator verbs").await;
}
