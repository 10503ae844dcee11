//! The iControl REST client: one authenticated, TLS-verified HTTP client per BIG-IP, with typed
//! calls for the LTM objects Fulcrum touches and bounded retries of transient device states.

mod auth;
mod retry;
mod tls;
mod transaction;

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Method, header};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use auth::{AuthMode, Credentials};
pub use retry::RetryPolicy;
pub use tls::TlsOptions;
pub use transaction::Transaction;

use crate::path::FullPath;
use crate::wire;
use auth::Token;

/// The header that queues a request in a transaction instead of running it.
pub const COORDINATION_HEADER: &str = "X-F5-REST-Coordination-Id";

/// Where and how to reach one BIG-IP.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://host[:port]`, without a trailing path.
    pub base_url: String,
    /// The user requests run as.
    pub credentials: Credentials,
    /// Basic auth on every request, or a token (the default).
    pub auth: AuthMode,
    /// Certificate verification; system roots by default.
    pub tls: TlsOptions,
    /// Retries of transient device states.
    pub retry: RetryPolicy,
    /// The longest one HTTP exchange may take.
    pub request_timeout: Duration,
}

impl ClientConfig {
    /// Token auth, system roots, default retries and a 30 s request timeout.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            credentials,
            auth: AuthMode::token(),
            tls: TlsOptions::default(),
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// What went wrong talking to a BIG-IP. Every variant names the request; device errors keep the
/// BIG-IP's own status, code and message.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The BIG-IP answered with an error status (after retries, when the state was transient).
    #[error("{method} {url}: BIG-IP answered {status}: {message}")]
    Device {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// HTTP status.
        status: u16,
        /// `apiError` of mcpd errors, e.g. 3 for "was not found".
        api_error: Option<i64>,
        /// The device's `message`, or the title of an HTML error page.
        message: String,
        /// Tries made, the first included.
        attempts: u32,
    },
    /// No answer: connection refused or dropped, TLS failure, timeout. The
    /// source leaves out the URL, which the message already names.
    #[error("{method} {url}: no answer from the BIG-IP after {attempts} tries: {source}")]
    Transport {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// Tries made, the first included.
        attempts: u32,
        /// The last try's failure.
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not the JSON the call expects.
    #[error("{method} {url}: the answer is not a valid {what}: {source}")]
    Decode {
        /// The request's method.
        method: Method,
        /// The request's URL.
        url: String,
        /// The body expected, e.g. `pool`.
        what: &'static str,
        /// Why it did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// The answer parsed but says something the protocol does not allow.
    #[error("{url}: {reason}")]
    Protocol {
        /// The request's URL.
        url: String,
        /// What the answer got wrong.
        reason: String,
    },
    /// The client configuration cannot be used.
    #[error("bigip client config: {field}: {reason}")]
    Config {
        /// The setting, e.g. `tls.custom_ca.pem`.
        field: &'static str,
        /// Why it cannot be used.
        reason: String,
    },
}

impl Error {
    /// The HTTP status a device error carries.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Device { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The BIG-IP's message for a device error.
    pub fn device_message(&self) -> Option<&str> {
        match self {
            Error::Device { message, .. } => Some(message),
            _ => None,
        }
    }

    fn is_not_found(&self) -> bool {
        matches!(self, Error::Device { status: 404, message, .. } if message.contains("was not found"))
    }
}

/// An iControl REST client. Cheap to clone; clones share the connection pool and the token.
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    auth: AuthMode,
    retry: RetryPolicy,
    token: tokio::sync::Mutex<Option<Token>>,
}

/// One answer: status and body bytes.
struct Answer {
    status: u16,
    body: Vec<u8>,
}

impl Client {
    /// Builds a client; no request is sent until the first call.
    pub fn new(config: ClientConfig) -> Result<Client, Error> {
        let ClientConfig {
            base_url,
            credentials,
            auth,
            tls,
            retry,
            request_timeout,
        } = config;
        if !base_url.starts_with("https://") {
            return Err(Error::Config {
                field: "base_url",
                reason: format!("{base_url:?} must start with https://"),
            });
        }
        if retry.attempts == 0 {
            return Err(Error::Config {
                field: "retry.attempts",
                reason: "must be at least 1".into(),
            });
        }
        let builder = reqwest::Client::builder()
            .timeout(request_timeout)
            .connect_timeout(request_timeout);
        let http = tls
            .configure(builder)?
            .build()
            .map_err(|source| Error::Config {
                field: "tls",
                reason: format!("cannot build the HTTPS client: {source}"),
            })?;
        let base_url = base_url.trim_end_matches('/').to_owned();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                credentials,
                auth,
                retry,
                token: Default::default(),
            }),
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The TMOS version, read from `GET /mgmt/tm/sys/`.
    pub async fn version(&self) -> Result<String, Error> {
        let path = "/mgmt/tm/sys/";
        let sys: wire::SysCollection = self.get(path, "sys collection").await?;
        sys.version()
            .map(str::to_owned)
            .ok_or_else(|| Error::Protocol {
                url: self.url(path),
                reason: format!("selfLink {:?} has no ver= parameter", sys.self_link),
            })
    }

    /// A pool, or `None` when the device has none by that path.
    pub async fn pool(&self, pool: &FullPath) -> Result<Option<wire::Pool>, Error> {
        self.get_optional(&format!("/mgmt/tm/ltm/pool/{}", pool.tilde()), "pool")
            .await
    }

    /// Creates a pool from an iControl REST body (`name`, `monitor`, `loadBalancingMode`, …).
    pub async fn create_pool(&self, body: &Value) -> Result<wire::Pool, Error> {
        self.send(Method::POST, "/mgmt/tm/ltm/pool", Some(body), None, "pool")
            .await
    }

    /// The members of a pool.
    pub async fn pool_members(&self, pool: &FullPath) -> Result<Vec<wire::PoolMember>, Error> {
        let path = format!("/mgmt/tm/ltm/pool/{}/members", pool.tilde());
        let members: wire::Collection<wire::PoolMember> =
            self.get(&path, "pool member collection").await?;
        Ok(members.items)
    }

    /// The statistics of every member of a pool (`…/members/stats`).
    pub async fn pool_member_stats(&self, pool: &FullPath) -> Result<wire::Stats, Error> {
        self.get(
            &format!("/mgmt/tm/ltm/pool/{}/members/stats", pool.tilde()),
            "member stats",
        )
        .await
    }

    /// Adds a member to a pool; `body` carries at least `name` (`node:port`).
    pub async fn create_pool_member(
        &self,
        pool: &FullPath,
        body: &Value,
    ) -> Result<wire::PoolMember, Error> {
        let path = format!("/mgmt/tm/ltm/pool/{}/members", pool.tilde());
        self.send(Method::POST, &path, Some(body), None, "pool member")
            .await
    }

    /// Merges `body` into one member (`PATCH`).
    pub async fn patch_pool_member(
        &self,
        pool: &FullPath,
        member: &FullPath,
        body: &Value,
    ) -> Result<wire::PoolMember, Error> {
        self.send(
            Method::PATCH,
            &member_path(pool, member),
            Some(body),
            None,
            "pool member",
        )
        .await
    }

    /// A node, or `None`.
    pub async fn node(&self, node: &FullPath) -> Result<Option<wire::Node>, Error> {
        self.get_optional(&format!("/mgmt/tm/ltm/node/{}", node.tilde()), "node")
            .await
    }

    /// Creates a node (`name`, `address`).
    pub async fn create_node(&self, body: &Value) -> Result<wire::Node, Error> {
        self.send(Method::POST, "/mgmt/tm/ltm/node", Some(body), None, "node")
            .await
    }

    /// An HTTP monitor, or `None`.
    pub async fn http_monitor(&self, monitor: &FullPath) -> Result<Option<Value>, Error> {
        self.get_optional(
            &format!("/mgmt/tm/ltm/monitor/http/{}", monitor.tilde()),
            "http monitor",
        )
        .await
    }

    /// Creates an HTTP monitor.
    pub async fn create_http_monitor(&self, body: &Value) -> Result<Value, Error> {
        self.send(
            Method::POST,
            "/mgmt/tm/ltm/monitor/http",
            Some(body),
            None,
            "http monitor",
        )
        .await
    }

    /// A virtual server, or `None`.
    pub async fn virtual_server(
        &self,
        virtual_server: &FullPath,
    ) -> Result<Option<wire::VirtualServer>, Error> {
        self.get_optional(
            &format!("/mgmt/tm/ltm/virtual/{}", virtual_server.tilde()),
            "virtual server",
        )
        .await
    }

    /// The profiles attached to a virtual server.
    pub async fn virtual_profiles(
        &self,
        virtual_server: &FullPath,
    ) -> Result<Vec<wire::VirtualProfile>, Error> {
        let path = format!("/mgmt/tm/ltm/virtual/{}/profiles", virtual_server.tilde());
        let profiles: wire::Collection<wire::VirtualProfile> =
            self.get(&path, "profile collection").await?;
        Ok(profiles.items)
    }

    /// Creates a virtual server (`name`, `destination`, `pool`, `profiles`, …).
    pub async fn create_virtual_server(&self, body: &Value) -> Result<wire::VirtualServer, Error> {
        self.send(
            Method::POST,
            "/mgmt/tm/ltm/virtual",
            Some(body),
            None,
            "virtual server",
        )
        .await
    }

    /// Starts a transaction; requests queued in it run together, or not at all, on commit.
    pub async fn begin_transaction(&self) -> Result<Transaction, Error> {
        let started: wire::Transaction = self
            .send(
                Method::POST,
                "/mgmt/tm/transaction",
                Some(&Value::Object(Default::default())),
                None,
                "transaction",
            )
            .await?;
        if started.state != "STARTED" {
            return Err(Error::Protocol {
                url: self.url("/mgmt/tm/transaction"),
                reason: format!(
                    "new transaction {} is in state {:?}, expected STARTED",
                    started.trans_id, started.state
                ),
            });
        }
        Ok(Transaction::new(self.clone(), started.trans_id))
    }

    /// Extends the current token's lifetime to `timeout_secs` (at most 36000 on a real device).
    /// Does nothing under basic auth.
    pub async fn extend_token(&self, timeout_secs: u64) -> Result<(), Error> {
        if self.inner.auth == AuthMode::Basic {
            return Ok(());
        }
        let value = self.token_value().await?;
        let path = format!("/mgmt/shared/authz/tokens/{value}");
        let body = serde_json::json!({ "timeout": timeout_secs });
        let extended: wire::AuthToken = self
            .send(Method::PATCH, &path, Some(&body), None, "token")
            .await?;
        if extended.timeout != timeout_secs {
            return Err(Error::Protocol {
                url: self.url("/mgmt/shared/authz/tokens/<token>"),
                reason: format!(
                    "asked for a {timeout_secs} s timeout, the device set {} s",
                    extended.timeout
                ),
            });
        }
        *self.inner.token.lock().await = Some(Token::new(value, timeout_secs, Instant::now()));
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.base_url)
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, what: &'static str) -> Result<T, Error> {
        self.send(Method::GET, path, None, None, what).await
    }

    async fn get_optional<T: DeserializeOwned>(
        &self,
        path: &str,
        what: &'static str,
    ) -> Result<Option<T>, Error> {
        match self.get(path, what).await {
            Ok(found) => Ok(Some(found)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Sends one request (with retries) and decodes a successful answer as `T`.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        transaction: Option<u64>,
        what: &'static str,
    ) -> Result<T, Error> {
        let answer = self
            .execute(method.clone(), path, body, transaction)
            .await?;
        serde_json::from_slice(&answer.body).map_err(|source| Error::Decode {
            method,
            url: self.url(path),
            what,
            source,
        })
    }

    /// Sends a request; retries transient device states and connections that never opened,
    /// logs in again once when a token is refused, and turns any other error status into
    /// [`Error::Device`].
    async fn execute(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        transaction: Option<u64>,
    ) -> Result<Answer, Error> {
        let url = self.url(path);
        let policy = &self.inner.retry;
        let mut attempts = 0;
        let mut logged_in_again = false;
        loop {
            attempts += 1;
            let mut request = self.inner.http.request(method.clone(), &url);
            request = self.authenticate(request).await?;
            if let Some(body) = body {
                request = request
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(body.to_string());
            }
            if let Some(id) = transaction {
                request = request.header(COORDINATION_HEADER, id.to_string());
            }
            let answer = match send_once(request).await {
                Ok(answer) => answer,
                Err(source) => {
                    // A request that never reached the device, or a read, is safe to send again;
                    // a write whose connection dropped may have been applied, so it surfaces.
                    let resendable = source.is_connect() || method == Method::GET;
                    if resendable && attempts < policy.attempts {
                        tracing::debug!(message = "bigip request failed, retrying", %method, %url, error = %source);
                        tokio::time::sleep(policy.backoff(attempts + 1)).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        method,
                        url,
                        attempts,
                        source: source.without_url(),
                    });
                }
            };
            if answer.status < 300 {
                return Ok(answer);
            }
            let (message, api_error) = error_message(&answer);
            if answer.status == 401 && self.inner.auth != AuthMode::Basic && !logged_in_again {
                tracing::debug!(message = "bigip token refused, logging in again", %url, reason = %message);
                *self.inner.token.lock().await = None;
                logged_in_again = true;
                attempts -= 1;
                continue;
            }
            if retry::is_retryable(answer.status, &message) && attempts < policy.attempts {
                tracing::debug!(message = "bigip busy, retrying", %method, %url, status = answer.status, reason = %message);
                tokio::time::sleep(policy.backoff(attempts + 1)).await;
                continue;
            }
            return Err(Error::Device {
                method,
                url,
                status: answer.status,
                api_error,
                message,
                attempts,
            });
        }
    }

    async fn authenticate(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let credentials = &self.inner.credentials;
        Ok(match self.inner.auth {
            AuthMode::Basic => {
                request.basic_auth(&credentials.username, Some(credentials.password()))
            }
            AuthMode::Token { .. } => request.header("X-F5-Auth-Token", self.token_value().await?),
        })
    }

    /// The current token, logging in when there is none or it is about to run out.
    async fn token_value(&self) -> Result<String, Error> {
        let mut slot = self.inner.token.lock().await;
        let now = Instant::now();
        if let Some(token) = slot.as_ref().filter(|token| token.is_fresh(now)) {
            return Ok(token.value.clone());
        }
        let token = self.login().await?;
        let value = token.value.clone();
        *slot = Some(token);
        Ok(value)
    }

    /// `POST /mgmt/shared/authn/login`, retried like any other request when the device is busy.
    async fn login(&self) -> Result<Token, Error> {
        let AuthMode::Token { login_provider } = &self.inner.auth else {
            unreachable!("login is only called under token auth")
        };
        let method = Method::POST;
        let url = self.url("/mgmt/shared/authn/login");
        let credentials = &self.inner.credentials;
        let body = serde_json::json!({
            "username": credentials.username,
            "password": credentials.password(),
            "loginProviderName": login_provider,
        });
        let policy = &self.inner.retry;
        let mut attempts = 0;
        let answer = loop {
            attempts += 1;
            let request = self
                .inner
                .http
                .post(&url)
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
            match send_once(request).await {
                Ok(answer) if answer.status < 300 => break answer,
                Ok(answer) => {
                    let (message, api_error) = error_message(&answer);
                    if retry::is_retryable(answer.status, &message) && attempts < policy.attempts {
                        tokio::time::sleep(policy.backoff(attempts + 1)).await;
                        continue;
                    }
                    return Err(Error::Device {
                        method,
                        url,
                        status: answer.status,
                        api_error,
                        message,
                        attempts,
                    });
                }
                Err(source) if attempts < policy.attempts => {
                    tracing::debug!(message = "bigip login failed, retrying", %url, error = %source);
                    tokio::time::sleep(policy.backoff(attempts + 1)).await;
                }
                Err(source) => {
                    return Err(Error::Transport {
                        method,
                        url,
                        attempts,
                        source: source.without_url(),
                    });
                }
            }
        };
        let login: wire::LoginResponse =
            serde_json::from_slice(&answer.body).map_err(|source| Error::Decode {
                method,
                url,
                what: "login answer",
                source,
            })?;
        tracing::debug!(message = "bigip login", user = %login.username, timeout_s = login.token.timeout);
        Ok(Token::new(
            login.token.token,
            login.token.timeout,
            Instant::now(),
        ))
    }
}

/// The URL path of one pool member.
pub(crate) fn member_path(pool: &FullPath, member: &FullPath) -> String {
    format!(
        "/mgmt/tm/ltm/pool/{}/members/{}",
        pool.tilde(),
        member.tilde()
    )
}

async fn send_once(request: reqwest::RequestBuilder) -> Result<Answer, reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let body = response.bytes().await?.to_vec();
    Ok(Answer { status, body })
}

/// The message and `apiError` of an error answer: the JSON `message`, else an HTML `<title>`,
/// else the start of the body.
fn error_message(answer: &Answer) -> (String, Option<i64>) {
    if let Ok(body) = serde_json::from_slice::<wire::ErrorBody>(&answer.body) {
        return (body.message, body.api_error);
    }
    let text = String::from_utf8_lossy(&answer.body);
    let title = text
        .split_once("<title>")
        .and_then(|(_, rest)| rest.split_once("</title>"))
        .map(|(title, _)| title);
    let message = title.unwrap_or(&text).trim().chars().take(200).collect();
    (message, None)
}
