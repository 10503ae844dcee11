//! `/mgmt/tm/sys`: the organising collection whose `selfLink` carries the version, the
//! stats-shaped `version`, module provisioning (LTM at `nominal`, every other module `none`)
//! and the one software volume the box boots from.

use serde_json::{Value, json};

use super::{BUILD, Builder};

/// The modules a box can provision; only `ltm` is provisioned.
const MODULES: [&str; 15] = [
    "afm", "am", "apm", "asm", "avr", "dos", "fps", "gtm", "ilx", "lc", "ltm", "pem", "sslo",
    "swg", "urldb",
];

/// The volume the box runs from.
const VOLUME: &str = "HD1.1";

pub(super) fn register(builder: &mut Builder<'_>) {
    builder.organising(
        "/mgmt/tm/sys",
        "tm:sys:syscollectionstate",
        &["application", "dns", "provision", "software", "version"],
    );
    version(builder);
    provision(builder);
    software(builder);
}

/// `GET /mgmt/tm/sys/version`: one stats entry whose nested entries describe the build.
fn version(builder: &mut Builder<'_>) {
    let path = "/mgmt/tm/sys/version";
    let body = json!({
        "kind": "tm:sys:version:versionstats",
        "selfLink": builder.link(path),
        "entries": { format!("https://localhost{path}/0"): {"nestedStats": {"entries": {
            "Build": {"description": BUILD}, "Date": {"description": "Mon Jan  5 12:00:00 PST 2026"},
            "Edition": {"description": "Final"}, "Product": {"description": "BIG-IP"},
            "Title": {"description": "Main Package"}, "Version": {"description": builder.version},
        }}}},
    });
    builder.register(path, &body);
}

fn provision(builder: &mut Builder<'_>) {
    let path = "/mgmt/tm/sys/provision";
    let items: Vec<Value> = MODULES
        .iter()
        .map(|module| {
            let level = if *module == "ltm" { "nominal" } else { "none" };
            builder.object(
                path,
                "tm:sys:provision:provisionstate",
                module,
                None,
                json!({"cpuRatio": 0, "diskRatio": 0, "level": level, "memoryRatio": 0}),
            )
        })
        .collect();
    builder.collection(path, "tm:sys:provision:provision", items);
}

fn software(builder: &mut Builder<'_>) {
    builder.organising(
        "/mgmt/tm/sys/software",
        "tm:sys:software:softwarecollectionstate",
        &["volume"],
    );
    let path = "/mgmt/tm/sys/software/volume";
    let volume = builder.object(
        path,
        "tm:sys:software:volume:volumestate",
        VOLUME,
        None,
        json!({
            "active": true, "apiRawValues": {}, "basebuild": BUILD, "build": BUILD,
            "product": "BIG-IP", "status": "complete", "version": builder.version,
            "media": [{
                "name": VOLUME, "defaultBootLocation": true, "media": "hd", "size": "default",
                "nameReference": builder.reference(&format!("{path}/{VOLUME}")),
            }],
        }),
    );
    builder.collection(path, "tm:sys:software:volume:volume", vec![volume]);
}
