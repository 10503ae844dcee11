//! The simulator as google-api-python-client sees it (see conformance.py). A
//! missing Python or package fails the test; it never skips.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fulcrum_gce::sim::Faults;

use crate::common::{PROJECT, ZONE, start_sim};

fn python() -> String {
    std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned())
}

#[tokio::test]
async fn google_api_python_client_drives_the_simulator() {
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
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/gce/conformance.py");
    let run = tokio::process::Command::new(&python)
        .arg(&script)
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
        .expect("conformance script finishes within 120 s")
        .expect("conformance script runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "conformance failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("conformance OK"), "{stdout}");
    server.shutdown().await;
}
