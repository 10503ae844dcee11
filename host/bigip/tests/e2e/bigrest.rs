//! The independent Python client `bigrest` drives the simulator: pools, members, ratio and state
//! changes, stats and a transaction. Python and bigrest must be installed; the test fails otherwise.

use std::io::Write;
use std::process::Command;

use fulcrum_bigip::sim::{self, SimOptions};

const SCRIPT: &str = r#"
import sys
from bigrest.bigip import BIGIP

device = sys.argv[1]
for token in (False, True):
    dev = BIGIP(device, "admin", "admin", request_token=token, session_verify=True)
    name = "/Common/gpu_pool_%d" % token
    dev.create("/mgmt/tm/ltm/pool", {"name": name, "monitor": "/Common/http", "loadBalancingMode": "ratio-member"})
    pool = "/mgmt/tm/ltm/pool/" + name.replace("/", "~")
    assert dev.exist(pool)
    assert dev.load(pool).properties["monitor"] == "/Common/http "
    dev.create(pool + "/members", {"name": "/Common/127.0.1.10:80"})
    dev.create(pool + "/members", {"name": "127.0.1.11:80", "partition": "Common"})
    member = pool + "/members/~Common~127.0.1.10:80"
    dev.modify(member, {"ratio": 7})
    dev.modify(member, {"session": "user-disabled", "state": "user-up"})
    got = dev.load(member)
    assert got.properties["ratio"] == 7 and got.properties["session"] == "user-disabled", got.properties
    stats = dev.show(pool + "/members")
    assert len(stats) == 2, stats
    with dev:
        dev.modify(pool + "/members/~Common~127.0.1.11:80", {"session": "user-disabled", "state": "user-down"})
        dev.create(pool + "/members", {"name": "/Common/127.0.1.12:80"})
    members = dev.load(pool + "/members")
    assert len(members) == 3, members
    forced = [m for m in members if m.properties["name"] == "127.0.1.11:80"][0]
    assert forced.properties["state"] == "user-down", forced.properties
    dev.delete(pool + "/members/~Common~127.0.1.12:80")
    assert not dev.exist(pool + "/members/~Common~127.0.1.12:80")
print("bigrest ok")
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bigrest_drives_the_simulator() {
    let running = sim::start(SimOptions::default())
        .await
        .expect("simulator starts");
    let mut ca = tempfile::NamedTempFile::new().unwrap();
    ca.write_all(running.ca_pem().as_bytes()).unwrap();
    let device = running.addr().to_string();
    let ca_path = ca.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(SCRIPT)
            .arg(device)
            .env("REQUESTS_CA_BUNDLE", ca_path)
            .output()
    })
    .await
    .unwrap()
    .expect(
        "python3 must be installed to run the bigrest conformance test (apt-get install python3)",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("No module named 'bigrest'"),
        "the bigrest conformance test needs the bigrest package: pip install bigrest\n{stderr}"
    );
    assert!(output.status.success(), "bigrest script failed:\n{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("bigrest ok"));
    assert!(running.counters().transactions >= 2);
}
