//! `[ha]`: defaults, TLS and credentials read from files and the
//! environment, and every problem named with its key.

use std::path::Path;
use std::time::Duration;

use super::problems;
use crate::config::RunConfig;
use crate::ha::HaConfig;

fn ha(text: &str, base: &Path) -> HaConfig {
    RunConfig::parse(text, base)
        .unwrap_or_else(|problems| panic!("{problems:?}"))
        .ha
        .expect("[ha]")
}

const STATE: &str = "[engine]\nstate_dir = \"state\"\n";

#[test]
fn defaults_for_a_plain_cluster() {
    let config = ha(
        &format!(
            "{STATE}[ha]\nbackend = \"etcd\"\nendpoints = [\"http://127.0.0.1:2379/\"]\nreplica = \"fulcrum-a\"\n"
        ),
        Path::new("."),
    );
    assert_eq!(config.endpoints, ["http://127.0.0.1:2379"]);
    assert_eq!(config.replica, "fulcrum-a");
    assert_eq!(config.key_prefix, "/fulcrum/");
    assert_eq!(config.lease_ttl, Duration::from_secs(10));
    assert_eq!(config.apply_margin, Duration::from_millis(2500));
    assert_eq!(config.request_timeout, Duration::from_secs(2));
    assert!(config.tls.is_none() && config.auth.is_none());
}

#[test]
fn tls_and_credentials_come_from_files_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in [
        ("ca.pem", "CA"),
        ("client.pem", "CERT"),
        ("client-key.pem", "KEY"),
    ] {
        std::fs::write(dir.path().join(file), text).unwrap();
    }
    std::fs::write(dir.path().join("etcd-password"), "s3cret\n").unwrap();
    let config = ha(
        &format!(
            "{STATE}[ha]\nbackend = \"etcd\"\nendpoints = [\"https://etcd-1:2379\", \"https://etcd-2:2379\"]\n\
             replica = \"b\"\nkey_prefix = \"/fulcrum/prod\"\nlease_ttl_secs = 6\napply_margin_ms = 3000\n\
             ca_file = \"ca.pem\"\ncert_file = \"client.pem\"\nkey_file = \"client-key.pem\"\n\
             username = \"fulcrum\"\npassword = {{ file = \"etcd-password\" }}\n"
        ),
        dir.path(),
    );
    assert_eq!(config.key_prefix, "/fulcrum/prod/");
    assert_eq!(config.lease_ttl, Duration::from_secs(6));
    let tls = config.tls.expect("tls");
    assert_eq!(tls.ca_pem, "CA");
    let (cert, key) = tls.identity.expect("a client identity");
    assert_eq!((cert.as_str(), key.expose()), ("CERT", "KEY"));
    assert!(!format!("{key:?}").contains("KEY"), "{key:?}");
    let auth = config.auth.expect("auth");
    assert_eq!(
        (auth.username.as_str(), auth.password.expose()),
        ("fulcrum", "s3cret")
    );
}

#[test]
fn every_problem_is_named() {
    let found = problems(
        "[ha]\nbackend = \"etcd\"\nendpoints = [\"http://a:2379\", \"https://b:2379\", \"c:2379\"]\n\
         replica = \"a/b\"\nkey_prefix = \"fulcrum\"\nlease_ttl_secs = 1\napply_margin_ms = 99999\n\
         cert_file = \"client.pem\"\nusername = \"fulcrum\"\n",
    );
    for expected in [
        "ha.endpoints (line 3): c:2379 must start with http:// or https://",
        "ha.endpoints (line 3): mix of http:// and https://; use one for every endpoint",
        "ha.lease_ttl_secs (line 6): 1 is out of range; expected 2..=300",
        "ha.apply_margin_ms (line 7): 99999 is out of range; expected 0..=5000",
        "ha.replica (line 4): \"a/b\": use 1 to 63 letters, digits, '-', '_' or '.'",
        "ha.key_prefix (line 5): \"fulcrum\": start with '/', no spaces or control characters",
        "ha.username (line 9): give password with username",
        "ha: replicas need engine.state_dir: each keeps its audit log there",
    ] {
        assert!(
            found.iter().any(|p| p == expected),
            "missing {expected:?} in {found:#?}"
        );
    }
    let https = problems(&format!(
        "{STATE}[ha]\nbackend = \"etcd\"\nendpoints = [\"https://a:2379\"]\nreplica = \"a\"\nkey_file = \"k.pem\"\n"
    ));
    assert!(
        https
            .iter()
            .any(|p| p.starts_with("ha.ca_file") && p.contains("need etcd's CA")),
        "{https:?}"
    );
    let unknown = problems("[ha]\nbackend = \"zookeeper\"\nendpoints = []\n");
    assert!(unknown[0].contains("zookeeper"), "{unknown:?}");
}
