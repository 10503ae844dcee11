//! `[bigip]` and `[gce]`: where the backends are, how to authenticate, and
//! which pools and groups Fulcrum manages. Credentials come from the
//! environment or files ([`Secret`]), never from the file itself.
//!
//! ```toml
//! [bigip]
//! url = "https://bigip.example.net"
//! username = "fulcrum"
//! password = { env = "BIGIP_PASSWORD" }
//! auth = "token"                        # or "basic"
//! ca_file = "bigip-ca.pem"              # default: the system roots
//! # insecure_skip_verify = true         # explicit opt-out, never the default
//! pools = ["/Common/mlPool"]
//!
//! [gce]
//! project = "ml-prod"
//! credentials = { kind = "service-account", key_file = "sa.json" }
//! [[gce.groups]]
//! name = "tf-instance-group-manager"
//! zone = "us-central1-a"
//! backend_service = "tf-backend-service"
//! min_size = 1
//! max_size = 20
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::secret::{Secret, SecretSource};

/// `[bigip]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BigIpToml {
    url: String,
    username: String,
    password: SecretSource,
    #[serde(default)]
    auth: BigIpAuth,
    ca_file: Option<PathBuf>,
    #[serde(default)]
    insecure_skip_verify: bool,
    pools: Vec<String>,
    #[serde(default = "one")]
    transaction_concurrency: usize,
    topology: Option<fulcrum_bigip::Topology>,
}

fn one() -> usize {
    1
}

/// The most commands queued into one transaction at once.
const MAX_TRANSACTION_CONCURRENCY: usize = 64;

/// How requests to the BIG-IP authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BigIpAuth {
    /// Log in once and send `X-F5-Auth-Token` (the default).
    #[default]
    Token,
    /// `Authorization: Basic` on every request.
    Basic,
}

/// A BIG-IP Fulcrum manages.
#[derive(Debug, Clone)]
pub struct BigIpConfig {
    pub url: String,
    pub username: String,
    pub password: Secret,
    pub auth: BigIpAuth,
    pub tls: fulcrum_bigip::TlsOptions,
    /// Pools by full path (`/Common/mlPool`) or name in `Common`.
    pub pools: Vec<String>,
    /// Member commands queued into a pool's transaction at once.
    pub transaction_concurrency: usize,
    /// Objects made to exist at start-up, when given.
    pub topology: Option<fulcrum_bigip::Topology>,
}

impl BigIpToml {
    pub(super) fn resolve(self, base: &Path, problems: &mut Vec<String>) -> Option<BigIpConfig> {
        if !self.url.starts_with("https://") {
            problems.push(format!(
                "bigip.url: {} must start with https:// (iControl REST is HTTPS only)",
                self.url
            ));
        }
        if self.pools.is_empty() {
            problems.push("bigip.pools: name at least one pool to manage".to_owned());
        }
        if !(1..=MAX_TRANSACTION_CONCURRENCY).contains(&self.transaction_concurrency) {
            problems.push(format!(
                "bigip.transaction_concurrency: {} is out of range; expected 1..={MAX_TRANSACTION_CONCURRENCY}",
                self.transaction_concurrency
            ));
        }
        let tls = match (&self.ca_file, self.insecure_skip_verify) {
            (Some(_), true) => {
                problems.push(
                    "bigip.ca_file, bigip.insecure_skip_verify: give one or the other".to_owned(),
                );
                fulcrum_bigip::TlsOptions::SystemRoots
            }
            (Some(file), false) => {
                let path = base.join(file);
                match std::fs::read_to_string(&path) {
                    Ok(pem) => fulcrum_bigip::TlsOptions::CustomCa { pem },
                    Err(err) => {
                        problems.push(format!(
                            "bigip.ca_file: cannot read {}: {err}",
                            path.display()
                        ));
                        fulcrum_bigip::TlsOptions::SystemRoots
                    }
                }
            }
            (None, true) => fulcrum_bigip::TlsOptions::InsecureSkipVerify,
            (None, false) => fulcrum_bigip::TlsOptions::SystemRoots,
        };
        let password = Secret::read(&self.password, base)
            .map_err(|err| problems.push(format!("bigip.password: {err}")))
            .ok()?;
        Some(BigIpConfig {
            url: self.url.trim_end_matches('/').to_owned(),
            username: self.username,
            password,
            auth: self.auth,
            tls,
            pools: self.pools,
            transaction_concurrency: self.transaction_concurrency,
            topology: self.topology,
        })
    }
}

/// `[gce]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GceToml {
    project: String,
    api_root: Option<String>,
    credentials: GceCredentials,
    groups: Vec<GroupToml>,
}

/// How Compute API requests authenticate.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum GceCredentials {
    /// A service-account JSON key; `token_uri` overrides the key's own.
    ServiceAccount {
        key_file: PathBuf,
        token_uri: Option<String>,
    },
    /// The metadata server (`metadata.google.internal` unless `host` says otherwise).
    Metadata { host: Option<String> },
    /// An access token in environment variable `env`.
    Token { env: String },
    /// No credentials: only for the simulator.
    Anonymous,
}

/// `[[gce.groups]]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupToml {
    name: String,
    zone: Option<String>,
    region: Option<String>,
    backend_service: Option<String>,
    min_size: Option<u32>,
    max_size: Option<u32>,
}

/// A managed instance group Fulcrum manages.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupConfig {
    pub group: fulcrum_gce::GroupRef,
    /// The global backend service the group is a backend of, if any.
    pub backend_service: Option<String>,
    pub min_size: u32,
    pub max_size: u32,
}

/// The GCE project Fulcrum manages.
#[derive(Debug, Clone)]
pub struct GceConfig {
    pub project: String,
    /// `https://compute.googleapis.com/compute/v1/` unless given.
    pub api_root: Option<String>,
    pub auth: fulcrum_gce::AuthConfig,
    pub groups: Vec<GroupConfig>,
}

impl GceToml {
    pub(super) fn resolve(self, base: &Path, problems: &mut Vec<String>) -> GceConfig {
        let auth = match self.credentials {
            GceCredentials::ServiceAccount {
                key_file,
                token_uri,
            } => {
                let path = base.join(key_file);
                if !path.is_file() {
                    problems.push(format!(
                        "gce.credentials.key_file: {} is not a file",
                        path.display()
                    ));
                }
                fulcrum_gce::AuthConfig::ServiceAccountKeyFile { path, token_uri }
            }
            GceCredentials::Metadata { host } => fulcrum_gce::AuthConfig::MetadataServer {
                host: host.unwrap_or_else(|| "metadata.google.internal".to_owned()),
            },
            GceCredentials::Token { env } => {
                fulcrum_gce::AuthConfig::StaticTokenFromEnv { var: env }
            }
            GceCredentials::Anonymous => fulcrum_gce::AuthConfig::Anonymous,
        };
        if self.groups.is_empty() {
            problems.push("gce.groups: name at least one instance group to manage".to_owned());
        }
        let groups = self
            .groups
            .into_iter()
            .enumerate()
            .filter_map(|(i, g)| group_config(i, g, problems))
            .collect();
        GceConfig {
            project: self.project,
            api_root: self.api_root,
            auth,
            groups,
        }
    }
}

fn group_config(index: usize, g: GroupToml, problems: &mut Vec<String>) -> Option<GroupConfig> {
    let key = format!("gce.groups[{index}]");
    let group = match (g.zone, g.region) {
        (Some(zone), None) => fulcrum_gce::GroupRef::zonal(zone, &g.name),
        (None, Some(region)) => fulcrum_gce::GroupRef::regional(region, &g.name),
        _ => {
            problems.push(format!("{key}: give exactly one of zone or region"));
            return None;
        }
    };
    let (min_size, max_size) = (g.min_size.unwrap_or(0), g.max_size.unwrap_or(1000));
    if min_size > max_size {
        problems.push(format!(
            "{key}.min_size: {min_size} is above max_size ({max_size})"
        ));
    }
    Some(GroupConfig {
        group,
        backend_service: g.backend_service,
        min_size,
        max_size,
    })
}
