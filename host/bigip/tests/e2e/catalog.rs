//! The collections a default BIG-IP registers outside LTM, read over HTTPS from the simulator:
//! tunnels, VLANs, self IPs, route domains, sys version, provisioning, software volumes and the
//! cm device. Each answers with a device's `kind`, `selfLink` and the item fields a 14.1 or 17.1
//! device returns; every `selfLink` resolves to the item itself; unknown paths stay 404.

use std::collections::BTreeSet;

use fulcrum_bigip::sim::{self, DEFAULT_VERSION, RunningSim, SimOptions};
use serde_json::Value;

/// A `GET` (or another method) with Basic auth; the status and the JSON body (`Null` when empty).
async fn request(running: &RunningSim, method: reqwest::Method, path: &str) -> (u16, Value) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let ca = reqwest::Certificate::from_pem(running.ca_pem().as_bytes()).expect("CA parses");
    let client = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("client builds");
    let response = client
        .request(method, format!("{}{path}", running.base_url()))
        .basic_auth("admin", Some("admin"))
        .send()
        .await
        .expect("the simulator answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body reads");
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body).expect("JSON body")
    };
    (status, body)
}

async fn get(running: &RunningSim, path: &str) -> Value {
    let (status, body) = request(running, reqwest::Method::GET, path).await;
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

async fn seeded() -> RunningSim {
    sim::start(SimOptions::default())
        .await
        .expect("simulator starts")
}

fn keys(object: &Value) -> BTreeSet<&str> {
    object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn names(collection: &Value) -> Vec<&str> {
    items(collection)
        .iter()
        .map(|item| item["name"].as_str().expect("a name"))
        .collect()
}

fn items(collection: &Value) -> &[Value] {
    collection["items"].as_array().expect("items")
}

/// The envelope every partitioned object carries, plus `fields`.
fn envelope_and(fields: &[&'static str]) -> BTreeSet<&'static str> {
    [
        "kind",
        "name",
        "partition",
        "fullPath",
        "generation",
        "selfLink",
    ]
    .into_iter()
    .chain(fields.iter().copied())
    .collect()
}

/// Checks the collection envelope, then that each item's `selfLink` reads back that item.
async fn check_collection(running: &RunningSim, path: &str, kind: &str) -> Value {
    let body = get(running, path).await;
    assert_eq!(body["kind"], kind, "{path}");
    assert_eq!(
        body["selfLink"],
        format!("https://localhost{path}?ver={DEFAULT_VERSION}")
    );
    for item in items(&body) {
        let link = item["selfLink"].as_str().expect("selfLink");
        let item_path = link
            .strip_prefix("https://localhost")
            .and_then(|rest| rest.strip_suffix(&format!("?ver={DEFAULT_VERSION}")))
            .unwrap_or_else(|| panic!("{link}: https://localhost…?ver= form"));
        assert_eq!(&get(running, item_path).await, item, "{item_path}");
    }
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gre_tunnel_profiles_are_the_built_in_pair() {
    let running = seeded().await;
    let gre = check_collection(
        &running,
        "/mgmt/tm/net/tunnels/gre",
        "tm:net:tunnels:gre:grecollectionstate",
    )
    .await;
    assert_eq!(names(&gre), ["gre", "nvgre"]);
    let profile = ["encapsulation", "floodingType", "rxCsum", "txCsum"];
    assert_eq!(keys(&items(&gre)[0]), envelope_and(&profile));
    let derived = [&profile[..], &["defaultsFrom", "defaultsFromReference"]].concat();
    assert_eq!(keys(&items(&gre)[1]), envelope_and(&derived));
    assert_eq!(items(&gre)[0]["kind"], "tm:net:tunnels:gre:grestate");
    assert_eq!(items(&gre)[1]["encapsulation"], "nvgre");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tunnels_are_http_and_socks_on_tcp_forward() {
    let running = seeded().await;
    let tunnels = check_collection(
        &running,
        "/mgmt/tm/net/tunnels/tunnel",
        "tm:net:tunnels:tunnel:tunnelcollectionstate",
    )
    .await;
    assert_eq!(names(&tunnels), ["http-tunnel", "socks-tunnel"]);
    let fields = [
        "autoLasthop",
        "description",
        "idleTimeout",
        "ifIndex",
        "key",
        "localAddress",
        "mode",
        "mtu",
        "profile",
        "profileReference",
        "remoteAddress",
        "secondaryAddress",
        "tos",
        "transparent",
        "usePmtu",
    ];
    for tunnel in items(&tunnels) {
        assert_eq!(keys(tunnel), envelope_and(&fields));
        assert_eq!(tunnel["profile"], "/Common/tcp-forward");
        let link = tunnel["profileReference"]["link"].as_str().unwrap();
        let path = link
            .trim_start_matches("https://localhost")
            .split('?')
            .next()
            .unwrap();
        assert_eq!(get(&running, path).await["fullPath"], "/Common/tcp-forward");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tunnels_collection_references_only_what_it_serves() {
    let running = seeded().await;
    let body = get(&running, "/mgmt/tm/net/tunnels").await;
    assert_eq!(body["kind"], "tm:net:tunnels:tunnelscollectionstate");
    assert_eq!(items(&body).len(), 3);
    for item in items(&body) {
        let link = item["reference"]["link"].as_str().expect("a reference");
        let path = link
            .trim_start_matches("https://localhost")
            .split('?')
            .next()
            .unwrap();
        assert!(
            get(&running, path).await["kind"]
                .as_str()
                .unwrap()
                .ends_with("collectionstate")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_box_in_service_has_the_internal_vlan_and_its_self_ip() {
    let running = seeded().await;
    let vlans = check_collection(
        &running,
        "/mgmt/tm/net/vlan",
        "tm:net:vlan:vlancollectionstate",
    )
    .await;
    assert_eq!(names(&vlans), ["internal"]);
    let vlan = &items(&vlans)[0];
    let fields = [
        "autoLasthop",
        "cmpHash",
        "dagRoundRobin",
        "dagTunnel",
        "failsafe",
        "failsafeAction",
        "failsafeTimeout",
        "fwdMode",
        "hardwareSyncookie",
        "ifIndex",
        "learning",
        "mtu",
        "sflow",
        "sourceChecking",
        "synFloodRateLimit",
        "syncacheThreshold",
        "tag",
        "interfacesReference",
    ];
    assert_eq!(keys(vlan), envelope_and(&fields));
    assert_eq!(
        (vlan["tag"].as_u64(), vlan["mtu"].as_u64()),
        (Some(4094), Some(1500))
    );
    assert_eq!(vlan["interfacesReference"]["isSubcollection"], true);

    let selfs = check_collection(
        &running,
        "/mgmt/tm/net/self",
        "tm:net:self:selfcollectionstate",
    )
    .await;
    let fields = [
        "address",
        "addressSource",
        "floating",
        "inheritedTrafficGroup",
        "trafficGroup",
        "trafficGroupReference",
        "unit",
        "vlan",
        "vlanReference",
    ];
    assert_eq!(items(&selfs).len(), 1);
    let own = &items(&selfs)[0];
    assert_eq!(keys(own), envelope_and(&fields));
    assert_eq!(own["vlan"], vlan["fullPath"]);
    assert_eq!(own["vlanReference"]["link"], vlan["selfLink"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_box_has_no_vlan_or_self_ip_but_route_domain_zero() {
    let running = sim::start(SimOptions {
        topology: None,
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts");
    assert!(items(&get(&running, "/mgmt/tm/net/vlan").await).is_empty());
    assert!(items(&get(&running, "/mgmt/tm/net/self").await).is_empty());
    let domains = get(&running, "/mgmt/tm/net/route-domain").await;
    assert_eq!(
        items(&domains)[0]["vlans"],
        serde_json::json!(["/Common/http-tunnel", "/Common/socks-tunnel"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_domain_zero_holds_every_vlan_and_tunnel() {
    let running = seeded().await;
    let domains = check_collection(
        &running,
        "/mgmt/tm/net/route-domain",
        "tm:net:route-domain:route-domaincollectionstate",
    )
    .await;
    assert_eq!(names(&domains), ["0"]);
    let zero = &items(&domains)[0];
    let fields = [
        "connectionLimit",
        "id",
        "strict",
        "throughputCapacity",
        "vlans",
    ];
    assert_eq!(keys(zero), envelope_and(&fields));
    assert_eq!(
        (zero["id"].as_u64(), zero["fullPath"].as_str()),
        (Some(0), Some("/Common/0"))
    );
    assert_eq!(
        zero["vlans"],
        serde_json::json!([
            "/Common/http-tunnel",
            "/Common/socks-tunnel",
            "/Common/internal"
        ])
    );
    // A bare name means /Common, as everywhere else.
    assert_eq!(&get(&running, "/mgmt/tm/net/route-domain/0").await, zero);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sys_version_is_one_nested_stats_entry() {
    let running = seeded().await;
    let body = get(&running, "/mgmt/tm/sys/version").await;
    assert_eq!(body["kind"], "tm:sys:version:versionstats");
    let entries = body["entries"].as_object().unwrap();
    assert_eq!(entries.len(), 1);
    let nested = &entries["https://localhost/mgmt/tm/sys/version/0"]["nestedStats"]["entries"];
    let expected: BTreeSet<&str> =
        ["Build", "Date", "Edition", "Product", "Title", "Version"].into();
    assert_eq!(keys(nested), expected);
    assert_eq!(nested["Version"]["description"], DEFAULT_VERSION);
    assert_eq!(nested["Product"]["description"], "BIG-IP");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_ltm_is_provisioned_at_nominal() {
    let running = seeded().await;
    let provision = check_collection(
        &running,
        "/mgmt/tm/sys/provision",
        "tm:sys:provision:provisioncollectionstate",
    )
    .await;
    for module in items(&provision) {
        let expected: BTreeSet<&str> = [
            "kind",
            "name",
            "fullPath",
            "generation",
            "selfLink",
            "cpuRatio",
            "diskRatio",
            "level",
            "memoryRatio",
        ]
        .into();
        assert_eq!(keys(module), expected);
        assert_eq!(
            module["fullPath"], module["name"],
            "modules have no partition"
        );
        let level = if module["name"] == "ltm" {
            "nominal"
        } else {
            "none"
        };
        assert_eq!(module["level"], level, "{module}");
    }
    assert!(names(&provision).contains(&"ltm"));
    let trimmed = get(
        &running,
        "/mgmt/tm/sys/provision?$select=name,level&$filter=level%20eq%20nominal",
    )
    .await;
    assert_eq!(
        items(&trimmed),
        [serde_json::json!({"name": "ltm", "level": "nominal"})]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_box_runs_from_one_active_volume() {
    let running = seeded().await;
    let volumes = check_collection(
        &running,
        "/mgmt/tm/sys/software/volume",
        "tm:sys:software:volume:volumecollectionstate",
    )
    .await;
    assert_eq!(names(&volumes), ["HD1.1"]);
    let volume = &items(&volumes)[0];
    let expected: BTreeSet<&str> = [
        "kind",
        "name",
        "fullPath",
        "generation",
        "selfLink",
        "active",
        "apiRawValues",
        "basebuild",
        "build",
        "product",
        "status",
        "version",
        "media",
    ]
    .into();
    assert_eq!(keys(volume), expected);
    assert_eq!(
        (&volume["active"], &volume["status"], &volume["version"]),
        (
            &Value::Bool(true),
            &Value::from("complete"),
            &Value::from(DEFAULT_VERSION)
        )
    );
    assert_eq!(volume["media"][0]["defaultBootLocation"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_list_is_this_one_active_box() {
    let running = seeded().await;
    let devices = check_collection(
        &running,
        "/mgmt/tm/cm/device",
        "tm:cm:device:devicecollectionstate",
    )
    .await;
    assert_eq!(items(&devices).len(), 1);
    let device = &items(&devices)[0];
    for field in [
        "hostname",
        "managementIp",
        "failoverState",
        "selfDevice",
        "version",
        "build",
        "edition",
        "product",
        "platformId",
        "chassisType",
        "configsyncIp",
        "mirrorIp",
        "multicastIp",
        "timeZone",
    ] {
        assert!(
            device.get(field).is_some(),
            "device lacks {field}: {device}"
        );
    }
    assert_eq!(device["name"], device["hostname"]);
    assert_eq!(
        (
            &device["selfDevice"],
            &device["failoverState"],
            &device["version"]
        ),
        (
            &Value::from("true"),
            &Value::from("active"),
            &Value::from(DEFAULT_VERSION)
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sys_collection_still_carries_the_version_and_lists_what_it_serves() {
    let running = seeded().await;
    for path in ["/mgmt/tm/sys", "/mgmt/tm/sys/"] {
        let body = get(&running, path).await;
        assert_eq!(body["kind"], "tm:sys:syscollectionstate");
        assert_eq!(
            body["selfLink"],
            format!("https://localhost/mgmt/tm/sys?ver={DEFAULT_VERSION}")
        );
        let links: Vec<&str> = items(&body)
            .iter()
            .map(|item| item["reference"]["link"].as_str().unwrap())
            .collect();
        for served in ["provision", "software", "version"] {
            assert!(
                links.iter().any(|l| l.contains(&format!("/sys/{served}?"))),
                "{links:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_stay_unregistered_and_built_ins_refuse_writes() {
    let running = seeded().await;
    for path in [
        "/mgmt/tm/net/tunnels/vxlan",
        "/mgmt/tm/net/arp",
        "/mgmt/tm/net/vlan/~Common~external",
        "/mgmt/tm/sys/provision/ltm/extra",
        "/mgmt/tm/cm/traffic-group",
        "/mgmt/tm/gtm/pool",
    ] {
        let (status, body) = request(&running, reqwest::Method::GET, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["kind"], ":resterrorresponse", "{path}");
        assert!(
            body["message"].as_str().unwrap().contains("not registered"),
            "{body}"
        );
    }
    let (status, body) = request(
        &running,
        reqwest::Method::PATCH,
        "/mgmt/tm/sys/provision/ltm",
    )
    .await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(
        get(&running, "/mgmt/tm/sys/provision/ltm").await["level"],
        "nominal"
    );
}
