//! `/mgmt/tm/net`: the built-in tunnels (`http-tunnel` and `socks-tunnel` on the
//! `tcp-forward` profile), the GRE profiles `gre` and `nvgre`, route domain 0 holding every
//! VLAN and tunnel, and — on a box in service — the `internal` VLAN with its self IP.

use serde_json::{Value, json};

use super::Builder;

const TUNNELS: &str = "/mgmt/tm/net/tunnels";
const VLANS: &str = "/mgmt/tm/net/vlan";
const TRAFFIC_GROUP: &str = "/mgmt/tm/cm/traffic-group/~Common~traffic-group-local-only";

/// The built-in tunnels and the interface index each has on a fresh box.
const BUILT_IN_TUNNELS: [(&str, &str, u32); 2] = [
    ("http-tunnel", "Tunnel for http-explicit profile", 112),
    ("socks-tunnel", "Tunnel for socks profile", 128),
];

/// The VLAN a box in service carries its pools' traffic on, its tag and its self IP.
const INTERNAL_VLAN: &str = "internal";
const INTERNAL_TAG: u32 = 4094;
const INTERNAL_SELF: (&str, &str) = ("internal-self", "127.0.1.254/24");

pub(super) fn register(builder: &mut Builder<'_>, in_service: bool) {
    builder.organising(
        TUNNELS,
        "tm:net:tunnels:tunnelscollectionstate",
        &["gre", "tcp-forward", "tunnel"],
    );
    gre_profiles(builder);
    tcp_forward_profiles(builder);
    tunnels(builder);
    let vlans: &[&str] = if in_service { &[INTERNAL_VLAN] } else { &[] };
    vlan_collection(builder, vlans);
    self_ips(builder, in_service);
    route_domains(builder, vlans);
}

fn gre_profiles(builder: &mut Builder<'_>) {
    let path = format!("{TUNNELS}/gre");
    let kind = "tm:net:tunnels:gre:grestate";
    let gre = builder.object(
        &path,
        kind,
        "gre",
        Some("Common"),
        json!({"encapsulation": "standard", "floodingType": "none", "rxCsum": "disabled", "txCsum": "disabled"}),
    );
    let nvgre = builder.object(
        &path,
        kind,
        "nvgre",
        Some("Common"),
        json!({
            "defaultsFrom": "/Common/gre",
            "defaultsFromReference": builder.reference(&format!("{path}/~Common~gre")),
            "encapsulation": "nvgre", "floodingType": "none", "rxCsum": "disabled", "txCsum": "disabled",
        }),
    );
    builder.collection(&path, "tm:net:tunnels:gre:gre", vec![gre, nvgre]);
}

fn tcp_forward_profiles(builder: &mut Builder<'_>) {
    let path = format!("{TUNNELS}/tcp-forward");
    let profile = builder.object(
        &path,
        "tm:net:tunnels:tcp-forward:tcp-forwardstate",
        "tcp-forward",
        Some("Common"),
        json!({}),
    );
    builder.collection(
        &path,
        "tm:net:tunnels:tcp-forward:tcp-forward",
        vec![profile],
    );
}

fn tunnels(builder: &mut Builder<'_>) {
    let path = format!("{TUNNELS}/tunnel");
    let profile = builder.reference(&format!("{TUNNELS}/tcp-forward/~Common~tcp-forward"));
    let items: Vec<Value> = BUILT_IN_TUNNELS
        .iter()
        .map(|(name, description, if_index)| {
            builder.object(
                &path,
                "tm:net:tunnels:tunnel:tunnelstate",
                name,
                Some("Common"),
                json!({
                    "autoLasthop": "default", "description": description, "idleTimeout": 300,
                    "ifIndex": if_index, "key": 0, "localAddress": "any6", "mode": "bidirectional",
                    "mtu": 0, "profile": "/Common/tcp-forward", "profileReference": profile,
                    "remoteAddress": "any6", "secondaryAddress": "any6", "tos": "preserve",
                    "transparent": "disabled", "usePmtu": "enabled",
                }),
            )
        })
        .collect();
    builder.collection(&path, "tm:net:tunnels:tunnel:tunnel", items);
}

fn vlan_collection(builder: &mut Builder<'_>, vlans: &[&str]) {
    let items: Vec<Value> = vlans
        .iter()
        .map(|name| {
            let interfaces = builder.link(&format!("{VLANS}/~Common~{name}/interfaces"));
            builder.object(
                VLANS,
                "tm:net:vlan:vlanstate",
                name,
                Some("Common"),
                json!({
                    "autoLasthop": "default", "cmpHash": "default", "dagRoundRobin": "disabled",
                    "dagTunnel": "outer", "failsafe": "disabled", "failsafeAction": "failover-restart-tm",
                    "failsafeTimeout": 90, "fwdMode": "l3", "hardwareSyncookie": "disabled",
                    "ifIndex": 160, "learning": "enable-forward", "mtu": 1500,
                    "sflow": {"pollInterval": 0, "pollIntervalGlobal": "yes", "samplingRate": 0, "samplingRateGlobal": "yes"},
                    "sourceChecking": "disabled", "synFloodRateLimit": 1000, "syncacheThreshold": 6000,
                    "tag": INTERNAL_TAG,
                    "interfacesReference": {"link": interfaces, "isSubcollection": true},
                }),
            )
        })
        .collect();
    builder.collection(VLANS, "tm:net:vlan:vlan", items);
}

fn self_ips(builder: &mut Builder<'_>, in_service: bool) {
    let path = "/mgmt/tm/net/self";
    let mut items = Vec::new();
    if in_service {
        let (name, address) = INTERNAL_SELF;
        items.push(builder.object(
            path,
            "tm:net:self:selfstate",
            name,
            Some("Common"),
            json!({
                "address": address, "addressSource": "from-user", "floating": "disabled",
                "inheritedTrafficGroup": "false", "trafficGroup": "/Common/traffic-group-local-only",
                "trafficGroupReference": builder.reference(TRAFFIC_GROUP), "unit": 0,
                "vlan": format!("/Common/{INTERNAL_VLAN}"),
                "vlanReference": builder.reference(&format!("{VLANS}/~Common~{INTERNAL_VLAN}")),
            }),
        ));
    }
    builder.collection(path, "tm:net:self:self", items);
}

/// Route domain 0, the one every box has, holding the built-in tunnels and every VLAN.
fn route_domains(builder: &mut Builder<'_>, vlans: &[&str]) {
    let path = "/mgmt/tm/net/route-domain";
    let members: Vec<String> = BUILT_IN_TUNNELS
        .iter()
        .map(|(name, ..)| *name)
        .chain(vlans.iter().copied())
        .map(|name| format!("/Common/{name}"))
        .collect();
    let default = builder.object(
        path,
        "tm:net:route-domain:route-domainstate",
        "0",
        Some("Common"),
        json!({"connectionLimit": 0, "id": 0, "strict": "enabled", "throughputCapacity": "infinite", "vlans": members}),
    );
    builder.collection(path, "tm:net:route-domain:route-domain", vec![default]);
}
