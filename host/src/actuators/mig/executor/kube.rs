//! The GPU Operator path: set node label `nvidia.com/mig.config` to the
//! layout's config name with a JSON merge patch on the Kubernetes API, and
//! follow `nvidia.com/mig.config.state` (`pending`, `rebooting`, then
//! `success` or `failed`), which the operator's MIG manager writes.
//!
//! The patch also removes the state label, so a `success` left over from an
//! earlier change is never read as this change's; the MIG manager sets it to
//! `pending` when it picks the new config up. The config name must exist in
//! the MIG manager's config map ([`mig_parted::config_for`] renders it).
//!
//! [`mig_parted::config_for`]: super::mig_parted::config_for

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use serde_json::{Value, json};

use super::mig_parted::config_name;
use super::{ApplyStatus, Executor};
use crate::actuators::mig::request::MigRequest;

/// The label that selects a node's MIG config.
pub const CONFIG_LABEL: &str = "nvidia.com/mig.config";
/// The label the MIG manager reports its progress in.
pub const STATE_LABEL: &str = "nvidia.com/mig.config.state";

/// A node's labels, by key.
pub type Labels = BTreeMap<String, String>;

/// Where the Kubernetes API is and how to authenticate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeConfig {
    /// API server base URL: `https://…` (verified against `ca_file`, else the
    /// system roots), or `http://…` for a `kubectl proxy` on loopback.
    pub server: String,
    /// File holding a bearer token (a service account token); none for a proxy.
    pub token_file: Option<PathBuf>,
    /// The cluster's CA certificate(s), PEM, for an `https://` server (in a
    /// pod: `/var/run/secrets/kubernetes.io/serviceaccount/ca.crt`).
    pub ca_file: Option<PathBuf>,
    /// Bound on each API request.
    pub timeout: Duration,
}

/// Why a Kubernetes request failed; each names the node.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    #[error("kubernetes: server {server:?}: {reason}")]
    Server {
        server: String,
        reason: &'static str,
    },
    #[error("kubernetes: server {server:?}: ca_file {path}: {source}")]
    CaFile {
        server: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kubernetes: server {server:?}: ca_file {path}: no PEM certificate in it")]
    NoCertificate { server: String, path: PathBuf },
    #[error("kubernetes: server {server:?}: {source}")]
    Client {
        server: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("kubernetes: reading token file {path}: {source}")]
    Token {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("kubernetes: node name {node:?} is not a valid node name")]
    NodeName { node: String },
    #[error("kubernetes: {method} node {node}: {source}")]
    Request {
        method: &'static str,
        node: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("kubernetes: {method} node {node}: HTTP {status}: {body}")]
    Status {
        method: &'static str,
        node: String,
        status: u16,
        body: String,
    },
    #[error("kubernetes: GET node {node}: not a JSON object: {source}")]
    Json {
        node: String,
        #[source]
        source: serde_json::Error,
    },
    #[error("kubernetes: GET node {node}: {reason}")]
    Body { node: String, reason: String },
}

/// Applies layouts through node labels.
#[derive(Debug, Clone)]
pub struct KubeExecutor {
    client: reqwest::Client,
    server: String,
    token: Option<String>,
}

impl KubeExecutor {
    /// An executor for `config`; reads the token file now.
    pub fn new(config: &KubeConfig) -> Result<Self, KubeError> {
        let server = config.server.trim_end_matches('/').to_owned();
        let https = server.starts_with("https://");
        if !https && !server.starts_with("http://") {
            return Err(KubeError::Server {
                server,
                reason: "expected an https:// URL, or http:// for a kubectl proxy",
            });
        }
        let certificates = match (&config.ca_file, https) {
            (None, _) => None,
            (Some(_), false) => {
                return Err(KubeError::Server {
                    server,
                    reason: "ca_file applies only to an https:// server",
                });
            }
            (Some(path), true) => {
                let pem = std::fs::read(path).map_err(|source| KubeError::CaFile {
                    server: server.clone(),
                    path: path.clone(),
                    source,
                })?;
                let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                    .ok()
                    .filter(|certs| !certs.is_empty())
                    .ok_or_else(|| KubeError::NoCertificate {
                        server: server.clone(),
                        path: path.clone(),
                    })?;
                Some(certificates)
            }
        };
        let token = match &config.token_file {
            None => None,
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|source| KubeError::Token {
                        path: path.clone(),
                        source,
                    })?
                    .trim()
                    .to_owned(),
            ),
        };
        crate::tls::install_crypto_provider();
        let mut builder = reqwest::Client::builder().timeout(config.timeout);
        if let Some(certificates) = certificates {
            builder = builder.tls_certs_only(certificates);
        }
        let client = builder.build().map_err(|source| KubeError::Client {
            server: server.clone(),
            source,
        })?;
        Ok(KubeExecutor {
            client,
            server,
            token,
        })
    }

    /// The node's labels.
    pub async fn labels(&self, node: &str) -> Result<Labels, KubeError> {
        let response = self
            .send("GET", node, self.client.get(self.node_url(node)?))
            .await?;
        let bytes = response
            .bytes()
            .await
            .map_err(|source| KubeError::Request {
                method: "GET",
                node: node.to_owned(),
                source,
            })?;
        let body: Value = serde_json::from_slice(&bytes).map_err(|source| KubeError::Json {
            node: node.to_owned(),
            source,
        })?;
        let labels = match body.pointer("/metadata/labels") {
            None | Some(Value::Null) => return Ok(BTreeMap::new()),
            Some(Value::Object(labels)) => labels,
            Some(other) => {
                return Err(KubeError::Body {
                    node: node.to_owned(),
                    reason: format!("metadata.labels is not an object: {other}"),
                });
            }
        };
        labels
            .iter()
            .map(|(key, value)| match value {
                Value::String(value) => Ok((key.clone(), value.clone())),
                other => Err(KubeError::Body {
                    node: node.to_owned(),
                    reason: format!("label {key} is not a string: {other}"),
                }),
            })
            .collect()
    }

    /// Merge-patch the node's labels: a `None` value removes the label.
    pub async fn patch_labels(
        &self,
        node: &str,
        labels: &[(&str, Option<&str>)],
    ) -> Result<(), KubeError> {
        let labels: serde_json::Map<String, Value> = labels
            .iter()
            .map(|&(key, value)| (key.to_owned(), value.map_or(Value::Null, Value::from)))
            .collect();
        let patch = json!({ "metadata": { "labels": labels } });
        let request = self
            .client
            .patch(self.node_url(node)?)
            .header(CONTENT_TYPE, "application/merge-patch+json")
            .body(patch.to_string());
        self.send("PATCH", node, request).await.map(drop)
    }

    fn node_url(&self, node: &str) -> Result<String, KubeError> {
        // DNS-1123 subdomain: nothing to escape once checked.
        let valid = !node.is_empty()
            && node.len() <= 253
            && node
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid {
            return Err(KubeError::NodeName {
                node: node.to_owned(),
            });
        }
        Ok(format!("{}/api/v1/nodes/{node}", self.server))
    }

    async fn send(
        &self,
        method: &'static str,
        node: &str,
        mut request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, KubeError> {
        if let Some(token) = &self.token {
            request = request.header(AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = request
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|source| KubeError::Request {
                method,
                node: node.to_owned(),
                source,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        Err(KubeError::Status {
            method,
            node: node.to_owned(),
            status: status.as_u16(),
            body: body.chars().take(300).collect(),
        })
    }
}

impl Executor for KubeExecutor {
    type Error = KubeError;

    async fn apply(&self, request: &MigRequest) -> Result<(), KubeError> {
        let name = config_name(request);
        self.patch_labels(
            &request.node,
            &[(CONFIG_LABEL, Some(&name)), (STATE_LABEL, None)],
        )
        .await
    }

    async fn status(&self, request: &MigRequest) -> Result<ApplyStatus, KubeError> {
        let labels = self.labels(&request.node).await?;
        let wanted = config_name(request);
        let config = labels.get(CONFIG_LABEL).map(String::as_str);
        if config != Some(wanted.as_str()) {
            return Ok(ApplyStatus::Failed(format!(
                "{CONFIG_LABEL} is {config:?}, no longer {wanted:?}: another change replaced this one"
            )));
        }
        Ok(match labels.get(STATE_LABEL).map(String::as_str) {
            None => ApplyStatus::Pending("not yet picked up by the MIG manager".into()),
            Some("success") => ApplyStatus::Success,
            Some("failed") => ApplyStatus::Failed(format!(
                "{STATE_LABEL}=failed: the MIG manager could not apply {wanted}"
            )),
            Some(state) => ApplyStatus::Pending(state.to_owned()),
        })
    }
}
