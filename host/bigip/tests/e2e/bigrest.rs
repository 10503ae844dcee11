//! The independent Python client `bigrest` drives the simulator: the network and system
//! collections F5 automation reads before it touches a member (tunnels first), then changes to an
//! existing member (ratio, disable, force offline), pools, members, ratio and state changes,
//! stats, a transaction, and paged, trimmed and filtered reads. Python and bigrest must be
//! installed; the test fails otherwise.

use std::io::Write;
use std::process::Command;

use fulcrum_bigip::sim::{self, SimOptions};

const SCRIPT: &str = r#"
import sys
from bigrest.bigip import BIGIP

device = sys.argv[1]
for token in (False, True):
    dev = BIGIP(device, "admin", "admin", request_token=token, session_verify=True)
    # F5 automation reads the tunnels, then the rest of the network and system
    # configuration, before it modifies a pool member.
    gre = dev.load("/mgmt/tm/net/tunnels/gre")
    assert [g.properties["name"] for g in gre] == ["gre", "nvgre"], [g.properties for g in gre]
    assert gre[1].properties["defaultsFrom"] == "/Common/gre", gre[1].properties
    tunnels = dev.load("/mgmt/tm/net/tunnels/tunnel")
    assert [t.properties["name"] for t in tunnels] == ["http-tunnel", "socks-tunnel"], tunnels
    kinds = [ref.properties["reference"]["link"] for ref in dev.load("/mgmt/tm/net/tunnels")]
    assert any("/tunnels/gre?" in link for link in kinds), kinds
    vlans = dev.load("/mgmt/tm/net/vlan")
    assert [(v.properties["name"], v.properties["tag"]) for v in vlans] == [("internal", 4094)], vlans
    selfs = dev.load("/mgmt/tm/net/self")
    assert [s.properties["vlan"] for s in selfs] == ["/Common/internal"], selfs
    domain = dev.load("/mgmt/tm/net/route-domain/~Common~0")
    assert domain.properties["id"] == 0 and "/Common/http-tunnel" in domain.properties["vlans"], domain.properties
    assert [d.properties["name"] for d in dev.load("/mgmt/tm/net/route-domain")] == ["0"]
    version = dev.load("/mgmt/tm/sys/version").properties["entries"]
    nested = version["https://localhost/mgmt/tm/sys/version/0"]["nestedStats"]["entries"]
    assert nested["Version"]["description"] == "17.1.0" and nested["Product"]["description"] == "BIG-IP", nested
    provisioned = {p.properties["name"]: p.properties["level"] for p in dev.load("/mgmt/tm/sys/provision")}
    assert provisioned.pop("ltm") == "nominal" and set(provisioned.values()) == {"none"}, provisioned
    assert dev.load("/mgmt/tm/sys/provision/ltm").properties["level"] == "nominal"
    volumes = dev.load("/mgmt/tm/sys/software/volume")
    assert [(v.properties["name"], v.properties["active"]) for v in volumes] == [("HD1.1", True)], volumes
    devices = dev.load("/mgmt/tm/cm/device")
    assert len(devices) == 1 and devices[0].properties["selfDevice"] == "true", devices
    assert not dev.exist("/mgmt/tm/net/tunnels/vxlan")
    # Then it modifies an existing member: ratio, disable, force offline.
    existing = "/mgmt/tm/ltm/pool/~Common~mlPool/members/~Common~ml-node-%d:80" % (1 + token)
    assert dev.load(existing).properties["ratio"] == 1
    dev.modify(existing, {"ratio": 5})
    dev.modify(existing, {"session": "user-disabled"})
    disabled = dev.load(existing).properties
    assert (disabled["ratio"], disabled["session"], disabled["state"]) == (5, "user-disabled", "up"), disabled
    dev.modify(existing, {"session": "user-disabled", "state": "user-down"})
    offline = dev.load(existing).properties
    assert (offline["session"], offline["state"]) == ("user-disabled", "user-down"), offline
    stats = dev.show("/mgmt/tm/ltm/pool/~Common~mlPool/members/~Common~ml-node-%d:80" % (1 + token))
    assert stats.properties["status.availabilityState"]["description"] == "offline", stats.properties
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
