//! `[ha]`: replicas of one deployment electing a leader on etcd
//! ([`HaConfig`]). Without it the host runs alone and needs no etcd.
//!
//! ```toml
//! [ha]
//! backend = "etcd"
//! endpoints = ["https://etcd-1:2379", "https://etcd-2:2379", "https://etcd-3:2379"]
//! replica = "fulcrum-a"          # unique per replica; default: the host name
//! key_prefix = "/fulcrum/prod/"  # every key Fulcrum keeps in etcd
//! lease_ttl_secs = 10            # a silent leader is replaced after this
//! apply_margin_ms = 2500         # lease left to start applying; default TTL/4
//! request_timeout_ms = 2000      # bound on each etcd request
//! ca_file = "etcd-ca.pem"        # https endpoints: etcd's CA
//! cert_file = "fulcrum.pem"      # mutual TLS: the client's certificate …
//! key_file = "fulcrum-key.pem"   # … and its key
//! username = "fulcrum"           # etcd authentication, when it is on
//! password = { env = "ETCD_PASSWORD" }
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use super::secret::{Secret, SecretSource};
use crate::ha::{EtcdAuth, EtcdTls, HaConfig};

/// `[ha]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HaToml {
    backend: BackendToml,
    endpoints: Spanned<Vec<String>>,
    replica: Option<Spanned<String>>,
    key_prefix: Option<Spanned<String>>,
    lease_ttl_secs: Option<Spanned<u64>>,
    apply_margin_ms: Option<Spanned<u64>>,
    request_timeout_ms: Option<Spanned<u64>>,
    ca_file: Option<Spanned<PathBuf>>,
    cert_file: Option<Spanned<PathBuf>>,
    key_file: Option<Spanned<PathBuf>>,
    username: Option<Spanned<String>>,
    password: Option<Spanned<SecretSource>>,
}

/// `backend` as written: the one store replicas share.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum BackendToml {
    Etcd,
}

const DEFAULT_LEASE_TTL_SECS: u64 = 10;
const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 2000;
const DEFAULT_KEY_PREFIX: &str = "/fulcrum/";

impl Resolve for HaToml {
    /// `None` when a file or the password cannot be read.
    type Output = Option<HaConfig>;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> Option<HaConfig> {
        // Every key named, so a new one is handled here or the build fails.
        let HaToml {
            backend: BackendToml::Etcd,
            endpoints,
            replica,
            key_prefix,
            lease_ttl_secs,
            apply_margin_ms,
            request_timeout_ms,
            ca_file,
            cert_file,
            key_file,
            username,
            password,
        } = self;
        let endpoints = resolve_endpoints(cx, &endpoints, problems);
        let lease_ttl_secs = cx.in_range(
            "lease_ttl_secs",
            lease_ttl_secs,
            2..=300,
            DEFAULT_LEASE_TTL_SECS,
            problems,
        );
        let lease_ttl_ms = lease_ttl_secs * 1000;
        // Renewed every quarter TTL, a healthy lease has at least three
        // quarters left; half leaves room for a late renewal.
        let apply_margin_ms = cx.in_range(
            "apply_margin_ms",
            apply_margin_ms,
            0..=lease_ttl_ms / 2,
            lease_ttl_ms / 4,
            problems,
        );
        let request_timeout_ms = cx.in_range(
            "request_timeout_ms",
            request_timeout_ms,
            100..=60_000,
            DEFAULT_REQUEST_TIMEOUT_MS,
            problems,
        );
        let replica = resolve_replica(cx, replica, problems);
        let key_prefix = resolve_key_prefix(cx, key_prefix, problems);
        let secure = endpoints.first().is_some_and(|e| e.starts_with("https://"));
        let tls = resolve_tls(cx, secure, ca_file, cert_file, key_file, problems);
        let auth = match (username, password) {
            (Some(username), Some(password)) => Some(EtcdAuth {
                username: username.into_inner(),
                password: cx.table("password", password, problems)?,
            }),
            (None, None) => None,
            (Some(username), None) => {
                problems.push(cx.problem("username", &username, "give password with username"));
                None
            }
            (None, Some(password)) => {
                problems.push(cx.problem("password", &password, "give username with password"));
                None
            }
        };
        Some(HaConfig {
            endpoints,
            replica,
            key_prefix,
            lease_ttl: Duration::from_secs(lease_ttl_secs),
            apply_margin: Duration::from_millis(apply_margin_ms),
            request_timeout: Duration::from_millis(request_timeout_ms),
            tls: tls?,
            auth,
        })
    }
}

/// The endpoints, each an `http://` or `https://` URL, all alike.
fn resolve_endpoints(
    cx: &Resolver<'_>,
    written: &Spanned<Vec<String>>,
    problems: &mut Problems,
) -> Vec<String> {
    let list = written.get_ref();
    if list.is_empty() {
        problems.push(cx.problem("endpoints", written, "name at least one etcd endpoint"));
    }
    for endpoint in list {
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            problems.push(cx.problem(
                "endpoints",
                written,
                format_args!("{endpoint} must start with http:// or https://"),
            ));
        }
    }
    let secure = list.iter().filter(|e| e.starts_with("https://")).count();
    if secure != 0 && secure != list.len() {
        problems.push(cx.problem(
            "endpoints",
            written,
            "mix of http:// and https://; use one for every endpoint",
        ));
    }
    list.iter()
        .map(|e| e.trim_end_matches('/').to_owned())
        .collect()
}

/// The replica's name as written, or the host name.
fn resolve_replica(
    cx: &Resolver<'_>,
    written: Option<Spanned<String>>,
    problems: &mut Problems,
) -> String {
    let Some(written) = written else {
        return match host_name() {
            Some(name) => name,
            None => {
                problems.push(cx.here(
                    "replica",
                    "not given, and the host name cannot be read; name this replica",
                ));
                String::new()
            }
        };
    };
    let name = written.get_ref();
    let valid = (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if !valid {
        problems.push(cx.problem(
            "replica",
            &written,
            format_args!("{name:?}: use 1 to 63 letters, digits, '-', '_' or '.'"),
        ));
    }
    written.into_inner()
}

/// This machine's host name, as the kernel has it.
fn host_name() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let name = name.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// The key prefix, ending with `/`.
fn resolve_key_prefix(
    cx: &Resolver<'_>,
    written: Option<Spanned<String>>,
    problems: &mut Problems,
) -> String {
    let Some(written) = written else {
        return DEFAULT_KEY_PREFIX.to_owned();
    };
    let prefix = written.get_ref();
    if !prefix.starts_with('/') || prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        problems.push(cx.problem(
            "key_prefix",
            &written,
            format_args!("{prefix:?}: start with '/', no spaces or control characters"),
        ));
    }
    match prefix.ends_with('/') {
        true => prefix.clone(),
        false => format!("{prefix}/"),
    }
}

/// TLS for `https://` endpoints: the CA, and the client's certificate and
/// key for mutual TLS. `None` when a file cannot be read.
fn resolve_tls(
    cx: &Resolver<'_>,
    secure: bool,
    ca_file: Option<Spanned<PathBuf>>,
    cert_file: Option<Spanned<PathBuf>>,
    key_file: Option<Spanned<PathBuf>>,
    problems: &mut Problems,
) -> Option<Option<EtcdTls>> {
    if !secure {
        for (name, file) in [
            ("ca_file", &ca_file),
            ("cert_file", &cert_file),
            ("key_file", &key_file),
        ] {
            if let Some(file) = file {
                problems.push(cx.problem(name, file, "TLS needs https:// endpoints"));
            }
        }
        return Some(None);
    }
    let Some(ca_file) = ca_file else {
        problems.push(cx.here("ca_file", "https:// endpoints need etcd's CA (PEM)"));
        return Some(None);
    };
    let ca_pem = read(cx, "ca_file", &ca_file, problems)?;
    let identity = match (cert_file, key_file) {
        (Some(cert), Some(key)) => {
            let cert_pem = read(cx, "cert_file", &cert, problems);
            let key_pem = read(cx, "key_file", &key, problems);
            let key_from = format!("file {}", cx.path(key.get_ref()).display());
            Some((cert_pem?, Secret::inline(&key_from, key_pem?)))
        }
        (None, None) => None,
        (Some(cert), None) => {
            problems.push(cx.problem("cert_file", &cert, "give key_file with cert_file"));
            None
        }
        (None, Some(key)) => {
            problems.push(cx.problem("key_file", &key, "give cert_file with key_file"));
            None
        }
    };
    Some(Some(EtcdTls { ca_pem, identity }))
}

/// The text of file `name`, relative to the configuration's directory.
fn read(
    cx: &Resolver<'_>,
    name: &str,
    file: &Spanned<PathBuf>,
    problems: &mut Problems,
) -> Option<String> {
    let path = cx.path(file.get_ref());
    std::fs::read_to_string(&path)
        .map_err(|err| {
            problems.push(cx.problem(
                name,
                file,
                format_args!("cannot read {}: {err}", path.display()),
            ))
        })
        .ok()
}
