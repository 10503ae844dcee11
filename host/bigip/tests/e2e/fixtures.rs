//! The client's wire types read every recorded device response.

use std::path::PathBuf;

use fulcrum_bigip::source::{Availability, join_stats};
use fulcrum_bigip::wire::{
    AuthToken, Collection, ErrorBody, LoginResponse, Node, Pool, PoolMember, Stats, SysCollection,
    Transaction, TransactionCommand, VirtualProfile, VirtualServer,
};
use serde::de::DeserializeOwned;

fn read<T: DeserializeOwned>(relative: &str) -> T {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/bigip")
        .join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn pools_and_members_parse() {
    let pool: Pool = read("go-bigip/pool_GET.json");
    assert_eq!(
        (pool.full_path.as_str(), pool.monitor.as_deref()),
        ("/Common/test-pool", Some("/Common/http "))
    );
    let created: Pool = read("f5-common-python/create_pool_response.json");
    assert_eq!(
        (created.name.as_str(), created.monitor),
        ("generatetestjson", None)
    );
    let pools: Collection<Pool> = read("go-bigip/pools_GET.json");
    assert_eq!(pools.kind, "tm:ltm:pool:poolcollectionstate");
    let nri: Collection<Pool> = read("nri-f5/pool_collection_GET.json");
    assert_eq!(nri.items[1].full_path, "/Test/CitrixPosol");
    assert_eq!(nri.items[0].load_balancing_mode, "fastest-node");
    let members: Collection<PoolMember> = read("go-bigip/pool_members_GET.json");
    assert_eq!(members.items.len(), 3);
    assert_eq!(members.items[1].address, "10.10.20.30");
    assert_eq!(
        (
            members.items[0].session.as_str(),
            members.items[0].state.as_str()
        ),
        ("monitor-enabled", "down")
    );
    let member: PoolMember = read("go-bigip/pool_member_GET.json");
    assert_eq!(member.kind, "tm:ltm:pool:members:membersstate");
}

#[test]
fn nodes_and_virtuals_parse() {
    let nodes: Collection<Node> = read("nri-f5/node_collection_GET.json");
    assert_eq!(
        (
            nodes.items[0].address.as_str(),
            nodes.items[0].connection_limit
        ),
        ("0.0.0.1", 7)
    );
    let virtuals: Collection<VirtualServer> = read("nri-f5/virtual_collection_GET.json");
    assert_eq!(virtuals.items[0].destination, "/Common/0.0.0.3:53");
    assert_eq!(
        virtuals.items[0].pool.as_deref(),
        Some("/Common/StevesPool")
    );
    let profiles: Collection<VirtualProfile> =
        read("f5-common-python/ltm_virtual_profiles_GET.json");
    let names: Vec<&str> = profiles
        .items
        .iter()
        .map(|p| p.full_path.as_str())
        .collect();
    assert_eq!(names, ["/Common/http", "/Common/tcp"]);
}

#[test]
fn stats_parse_in_the_nested_shape() {
    let members: Stats = read("nri-f5/pool_members_collection_stats_GET.json");
    let member: PoolMember = serde_json::from_value(serde_json::json!({
        "kind": "tm:ltm:pool:members:membersstate", "name": "Pool123:80", "partition": "Common",
        "fullPath": "/Common/Pool123:80", "address": "0.0.0.227", "connectionLimit": 0, "ratio": 1,
        "session": "user-enabled", "state": "unchecked"
    }))
    .unwrap();
    let observed = join_stats(&[member], &members);
    assert_eq!(observed[0].current_connections, 2);
    assert_eq!(observed[0].availability, Availability::Unknown);
    assert!(observed[0].enabled);
    for file in [
        "nri-f5/pool_collection_stats_GET.json",
        "nri-f5/node_collection_stats_GET.json",
        "nri-f5/virtual_collection_stats_GET.json",
    ] {
        let stats: Stats = read(file);
        assert!(!stats.objects().is_empty(), "{file}");
    }
    let pools: Stats = read("nri-f5/pool_collection_stats_GET.json");
    let offline = pools
        .objects()
        .values()
        .filter_map(|o| {
            o.get("status.availabilityState")
                .and_then(|l| l.description())
        })
        .any(|d| d == "offline");
    assert!(offline);
}

#[test]
fn auth_sys_and_transactions_parse() {
    let login: LoginResponse = read("f5-automation-labs/authn_login_POST_response.json");
    assert_eq!(
        (login.token.token.as_str(), login.token.timeout),
        ("TCJMWPGBQGPZPJYUCY57J2IITA", 1200)
    );
    assert!(!format!("{login:?}").contains("TCJMWPGBQGPZPJYUCY57J2IITA"));
    let extended: AuthToken = read("f5-automation-labs/authz_token_PATCH_timeout_response.json");
    assert_eq!(extended.timeout, 36000);
    let sys: SysCollection = read("f5-common-python/sys_GET.json");
    assert_eq!(sys.version(), Some("11.6.0"));
    let dns: serde_json::Value = read("cerner-icontrol_rest/sys_dns_GET.json");
    assert_eq!(dns["kind"], "tm:sys:dns:dnsstate");
    let transaction: Transaction = read("cerner-icontrol_rest/transaction_POST_response.json");
    assert_eq!(
        (transaction.trans_id, transaction.state.as_str()),
        (1526674837169915, "STARTED")
    );
    let command: TransactionCommand =
        read("cerner-icontrol_rest/transaction_command_PUT_sys_dns_response.json");
    assert_eq!(
        (
            command.method.as_str(),
            command.eval_order,
            command.command_id
        ),
        ("PUT", 1, 1)
    );
}

#[test]
fn error_bodies_parse() {
    let missing: ErrorBody = read("f5-bigip-rest-go/error_404_pool_not_found.json");
    assert_eq!((missing.code, missing.api_error), (404, Some(3)));
    assert!(missing.message.contains("was not found"));
    let mcpd: ErrorBody = read("f5-bigip-rest-go/error_500_mcpd_connection_lost.json");
    assert_eq!(mcpd.api_error, Some(32768001));
    let no_auth: ErrorBody = read("f5-bigip-rest-go/error_401_no_auth.json");
    assert_eq!(no_auth.kind.as_deref(), Some(":resterrorresponse"));
    let unregistered: ErrorBody = read("f5-bigip-rest-go/error_404_uri_not_registered.json");
    assert!(unregistered.message.contains("not registered"));
}
