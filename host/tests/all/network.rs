//! A policy that imports the network — as every Python and JavaScript
//! policy does — loads, `host check` lists those imports as linked and
//! denied, and every use is denied: TCP connections and name lookups through
//! `wasi:sockets`, requests through `wasi:http`. Nothing reaches a loopback
//! listener the policy is pointed at.

use std::io::ErrorKind;
use std::net::TcpListener;
use std::process::{Command, Output};

use fulcrum_plugin_artifacts as artifacts;

fn host(args: &[&str]) -> Output {
    let _alone = crate::common::alone();
    Command::new(env!("CARGO_BIN_EXE_host"))
        .args(args)
        .arg("--no-cache")
        .output()
        .expect("host runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `host plan` on one node with the net policy in `mode` aimed at `address`:
/// what it logged.
fn plan_trying(mode: &str, address: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fulcrum.toml");
    let body = format!(
        "[fleet]\nnodes = 1\n[[policies]]\npath = {:?}\n[policies.settings]\nmode = {mode:?}\n\
         address = {address:?}\n[[policies.grant]]\nactions = [\"member-ratio\"]\npools = [\"mlPool\"]\n",
        artifacts::NET
    );
    std::fs::write(&config, body).unwrap();
    let out = host(&["plan", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 change(s)"),
        "nothing got through to a decision: {}",
        text(&out.stdout)
    );
    text(&out.stderr)
}

#[test]
fn check_lists_the_network_imports_as_linked_and_denied() {
    let out = host(&["check", artifacts::NET]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    for denied in [
        "wasi:sockets/tcp@",
        "wasi:sockets/ip-name-lookup@",
        "wasi:http/outgoing-handler@",
        "wasi:http/types@",
    ] {
        let line = stdout
            .lines()
            .find(|line| line.trim_start().starts_with(denied))
            .unwrap_or_else(|| panic!("{denied} listed: {stdout}"));
        assert!(line.ends_with("  linked, denied"), "{line}");
    }
    let granted = stdout
        .lines()
        .find(|line| line.trim_start().starts_with("wasi:cli/stderr@"))
        .unwrap_or_else(|| panic!("wasi:cli/stderr listed: {stdout}"));
    assert!(granted.ends_with("  granted"), "{granted}");
}

#[test]
fn connections_lookups_and_requests_are_all_denied() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap().to_string();
    for (mode, denial) in [
        ("tcp", "tcp failed: Permission denied"),
        ("dns", "dns failed: failed to lookup address information"),
        ("http", "http failed: ErrorCode::HttpRequestDenied"),
    ] {
        let log = plan_trying(mode, &address);
        assert!(
            log.contains("kind=\"policy_error\"") && log.contains(denial),
            "{mode}: {log}"
        );
    }
    let reached = listener.accept().map(|(_, peer)| peer);
    assert!(
        matches!(&reached, Err(error) if error.kind() == ErrorKind::WouldBlock),
        "nothing reached the listener: {reached:?}"
    );
}
