//! `/mgmt/tm/cm/device`: the one device of a standalone box — itself, active, with its
//! hostname, management address, platform and software.

use serde_json::json;

use super::{BUILD, Builder};

/// The simulated box's hostname, which is also its device name.
const HOSTNAME: &str = "bigip1";

pub(super) fn register(builder: &mut Builder<'_>) {
    let path = "/mgmt/tm/cm/device";
    let device = builder.object(
        path,
        "tm:cm:device:devicestate",
        HOSTNAME,
        Some("Common"),
        json!({
            "alternateIp": "none", "baseMac": "02:00:00:00:00:01", "build": BUILD,
            "chassisId": "00000000-0000-0000-000000000001", "chassisType": "individual",
            "configsyncIp": "none", "edition": "Final", "failoverState": "active", "haCapacity": 0,
            "hostname": HOSTNAME, "managementIp": "127.0.0.1",
            "marketingName": "BIG-IP Virtual Edition", "mgmtUnicastMode": "both",
            "mirrorIp": "any6", "mirrorSecondaryIp": "any6", "multicastIp": "any6",
            "multicastPort": 0, "platformId": "Z100", "product": "BIG-IP", "selfDevice": "true",
            "timeZone": "UTC", "version": builder.version,
        }),
    );
    builder.collection(path, "tm:cm:device:device", vec![device]);
}
