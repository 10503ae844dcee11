//! `[bigip]`: the BIG-IP Fulcrum manages, how to authenticate, and which
//! pools. The password comes from the environment or a file ([`Secret`]),
//! never from the file itself.
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
//! transaction_concurrency = 1           # member commands queued at once, 1..=64
//! [bigip.topology]                      # objects made to exist at start-up
//! partition = "Common"
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use toml::Spanned;

use super::problem::Problems;
use super::resolve::{Resolve, Resolver};
use super::secret::{Secret, SecretSource};

/// `[bigip]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BigIpToml {
    url: Spanned<String>,
    username: String,
    password: Spanned<SecretSource>,
    #[serde(default)]
    auth: AuthToml,
    ca_file: Option<Spanned<PathBuf>>,
    insecure_skip_verify: Option<Spanned<bool>>,
    pools: Spanned<Vec<String>>,
    transaction_concurrency: Option<Spanned<usize>>,
    topology: Option<fulcrum_bigip::Topology>,
}

/// `auth` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AuthToml {
    #[default]
    Token,
    Basic,
}

/// The most commands queued into one transaction at once.
const MAX_TRANSACTION_CONCURRENCY: usize = 64;

/// How requests to the BIG-IP authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
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

impl Resolve for BigIpToml {
    /// `None` when the password cannot be read.
    type Output = Option<BigIpConfig>;

    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> Option<BigIpConfig> {
        if !self.url.get_ref().starts_with("https://") {
            problems.push(cx.problem(
                "url",
                &self.url,
                format_args!(
                    "{} must start with https:// (iControl REST is HTTPS only)",
                    self.url.get_ref()
                ),
            ));
        }
        if self.pools.get_ref().is_empty() {
            problems.push(cx.problem("pools", &self.pools, "name at least one pool to manage"));
        }
        let transaction_concurrency = cx.in_range(
            "transaction_concurrency",
            self.transaction_concurrency,
            1..=MAX_TRANSACTION_CONCURRENCY,
            1,
            problems,
        );
        let tls = tls(cx, self.ca_file, self.insecure_skip_verify, problems);
        let password = cx.table("password", self.password, problems)?;
        Some(BigIpConfig {
            url: self.url.into_inner().trim_end_matches('/').to_owned(),
            username: self.username,
            password,
            auth: match self.auth {
                AuthToml::Token => BigIpAuth::Token,
                AuthToml::Basic => BigIpAuth::Basic,
            },
            tls,
            pools: self.pools.into_inner(),
            transaction_concurrency,
            topology: self.topology,
        })
    }
}

/// How the BIG-IP's certificate is checked: `ca_file`, the system roots, or
/// not at all when `insecure_skip_verify` says so.
fn tls(
    cx: &Resolver<'_>,
    ca_file: Option<Spanned<PathBuf>>,
    insecure_skip_verify: Option<Spanned<bool>>,
    problems: &mut Problems,
) -> fulcrum_bigip::TlsOptions {
    let insecure = insecure_skip_verify.filter(|skip| *skip.get_ref());
    match (ca_file, insecure) {
        (Some(_), Some(insecure)) => {
            problems.push(cx.problem(
                "insecure_skip_verify",
                &insecure,
                "give ca_file or insecure_skip_verify, not both",
            ));
            fulcrum_bigip::TlsOptions::SystemRoots
        }
        (Some(file), None) => {
            let path = cx.path(file.get_ref());
            match std::fs::read_to_string(&path) {
                Ok(pem) => fulcrum_bigip::TlsOptions::CustomCa { pem },
                Err(err) => {
                    problems.push(cx.problem(
                        "ca_file",
                        &file,
                        format_args!("cannot read {}: {err}", path.display()),
                    ));
                    fulcrum_bigip::TlsOptions::SystemRoots
                }
            }
        }
        (None, Some(_)) => fulcrum_bigip::TlsOptions::InsecureSkipVerify,
        (None, None) => fulcrum_bigip::TlsOptions::SystemRoots,
    }
}
