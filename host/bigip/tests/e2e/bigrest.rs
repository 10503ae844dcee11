//! The independent Python client `bigrest` drives the simulator: pools, members, ratio and state
//! changes, stats, a transaction, and paged, trimmed and filtered reads. Python and bigrest must
//! be installed; the test fails otherwise.

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
    # Query options: pages by $top/$skip (stopping on a short page, as f5audit
    # does, and by nextLink, as iCR does), $select and $filter.
    names = sorted(m.properties["name"] for m in members)
    seen = []
    for skip in range(0, 8, 2):
        page = dev.load(pool + "/members?$top=2&$skip=%d" % skip)
        seen += [m.properties["name"] for m in page]
        if len(page) < 2:
            break
    assert skip == 2 and sorted(seen) == names, (skip, seen)
    url, linked = "https://%s%s/members?$top=2" % (device, pool), []
    for _ in range(4):
        body = dev.session.get(url).json()
        linked += [m["name"] for m in body["items"]]
        url = body.get("nextLink", "").replace("https://localhost", "https://" + device)
        if not url:
            break
    assert not url and sorted(linked) == names, linked
    trimmed = dev.load(pool + "/members?$select=name,ratio")
    assert all(set(m.properties) == {"name", "ratio"} for m in trimmed), [m.properties for m in trimmed]
    seven = dev.load(pool + "/members?$filter=ratio%20eq%207")
    assert [m.properties["name"] for m in seven] == ["127.0.1.10:80"], [m.properties for m in seven]
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
