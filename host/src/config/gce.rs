//! `[gce]`: the GCE project Fulcrum manages, how its Compute API requests
//! authenticate, and which managed instance groups.
//!
//! ```toml
//! [gce]
//! project = "ml-prod"
//! credentials = { kind = "service-account", key_file = "sa.json" }
//! # or { kind = "metadata" }, { kind = "token", env = "GCE_ACCESS_TOKEN" }
//! [[gce.groups]]
//! name = "tf-instance-group-manager"
//! zone = "us-central1-a"                # or region = "us-central1"
//! backend_service = "tf-backend-service"
//! min_size = 1
//! max_size = 20
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};

/// `[gce]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GceToml {
    project: String,
    api_root: Option<String>,
    credentials: Spanned<CredentialsToml>,
    groups: Spanned<Vec<Spanned<GroupToml>>>,
}

/// `credentials` as written, selected by `kind`.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum CredentialsToml {
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
    min_size: Option<Spanned<u32>>,
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

impl Resolve for GceToml {
    type Output = GceConfig;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> GceConfig {
        let auth = match self.credentials.get_ref() {
            CredentialsToml::ServiceAccount {
                key_file,
                token_uri,
            } => {
                let path = cx.path(key_file);
                if !path.is_file() {
                    problems.push(cx.problem(
                        "credentials.key_file",
                        &self.credentials,
                        format_args!("{} is not a file", path.display()),
                    ));
                }
                fulcrum_gce::AuthConfig::ServiceAccountKeyFile {
                    path,
                    token_uri: token_uri.clone(),
                }
            }
            CredentialsToml::Metadata { host } => fulcrum_gce::AuthConfig::MetadataServer {
                host: host
                    .clone()
                    .unwrap_or_else(|| "metadata.google.internal".to_owned()),
            },
            CredentialsToml::Token { env } => {
                fulcrum_gce::AuthConfig::StaticTokenFromEnv { var: env.clone() }
            }
            CredentialsToml::Anonymous => fulcrum_gce::AuthConfig::Anonymous,
        };
        if self.groups.get_ref().is_empty() {
            problems.push(cx.problem(
                "groups",
                &self.groups,
                "name at least one instance group to manage",
            ));
        }
        let groups = cx
            .tables("groups", self.groups.into_inner(), problems)
            .into_iter()
            .flatten()
            .collect();
        GceConfig {
            project: self.project,
            api_root: self.api_root,
            auth,
            groups,
        }
    }
}

impl Resolve for GroupToml {
    /// `None` when the group's location is not clear.
    type Output = Option<GroupConfig>;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> Option<GroupConfig> {
        let max_size = self.max_size.unwrap_or(1000);
        let min_size = match self.min_size {
            Some(min) if *min.get_ref() > max_size => {
                problems.push(cx.problem(
                    "min_size",
                    &min,
                    format_args!("{} is above max_size ({max_size})", min.get_ref()),
                ));
                min.into_inner()
            }
            min => min.map_or(0, Spanned::into_inner),
        };
        let group = match (self.zone, self.region) {
            (Some(zone), None) => fulcrum_gce::GroupRef::zonal(zone, &self.name),
            (None, Some(region)) => fulcrum_gce::GroupRef::regional(region, &self.name),
            _ => {
                problems.push(cx.here("", "give exactly one of zone or region"));
                return None;
            }
        };
        Some(GroupConfig {
            group,
            backend_service: self.backend_service,
            min_size,
            max_size,
        })
    }
}
