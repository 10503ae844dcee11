//! The simulator's HTTP side: the TLS accept loop, fault injection and counting in front of the
//! router, authentication, the iControl REST routes (auth, tokens, sys, LTM with its query
//! options, transactions) and the admin endpoint.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use base64::Engine;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tower_service::Service;

use super::faults::{FaultState, Faults, Injection};
use super::query::QueryOptions;
use super::state::{Link, Reply, Resource, SimError as ModelError, Store};
use super::{AtomicCounters, SimError, SimOptions};
use crate::client::COORDINATION_HEADER;
use crate::path::{FullPath, percent_decode};

/// A token issued by the login endpoint.
struct TokenRecord {
    user: String,
    timeout_secs: u64,
    issued: Instant,
    issued_micros: u64,
    expired: bool,
}

/// A transaction and its queued commands.
struct PendingTransaction {
    state: &'static str,
    created: Instant,
    timeout_secs: u64,
    commands: Vec<Command>,
    next_command: u32,
}

struct Command {
    id: u32,
    eval_order: u32,
    method: String,
    path: String,
    body: Value,
}

/// Everything mutable, under one lock so that reads never see half a transaction.
struct Box_ {
    store: Store,
    tokens: HashMap<String, TokenRecord>,
    transactions: HashMap<u64, PendingTransaction>,
    next_transaction: u64,
}

/// State shared by every connection.
pub(crate) struct Shared {
    user: String,
    password: String,
    token_timeout_secs: u64,
    version: String,
    inner: Mutex<Box_>,
    pub(crate) counters: AtomicCounters,
    pub(crate) faults: FaultState,
}

/// Tokens a user other than admin may hold at once.
const MAX_TOKENS_PER_USER: usize = 100;
/// The longest token lifetime a device accepts.
const MAX_TOKEN_TIMEOUT_SECS: u64 = 36_000;
/// Seconds before an uncommitted transaction is silently deleted.
const TRANSACTION_TIMEOUT_SECS: u64 = 120;

impl Shared {
    pub(crate) fn new(store: Store, options: &SimOptions) -> Shared {
        Shared {
            user: options.user.clone(),
            password: options.password.clone(),
            token_timeout_secs: options.token_timeout_secs,
            version: options.version.clone(),
            inner: Mutex::new(Box_ {
                store,
                tokens: HashMap::new(),
                transactions: HashMap::new(),
                next_transaction: 1_526_674_837_169_915,
            }),
            counters: AtomicCounters::default(),
            faults: FaultState::new(options.faults.clone()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Box_> {
        self.inner.lock().expect("simulator state lock poisoned")
    }

    pub(crate) fn set_member_load(
        &self,
        pool: &FullPath,
        member: &FullPath,
        healthy: Option<bool>,
        connections: Option<u64>,
    ) -> Result<(), SimError> {
        self.lock()
            .store
            .set_member_load(pool, member, healthy, connections)
            .map_err(|e| SimError::Model {
                what: format!("member {member} of pool {pool}"),
                status: e.status,
                message: e.message,
            })
    }
}

/// The connection is closed without an answer (an injected fault).
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for DroppedConnection {}

/// Accepts TLS connections until the task is aborted.
pub(crate) async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    shared: Arc<Shared>,
) {
    let acceptor = TlsAcceptor::from(tls);
    let router = router(shared.clone());
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(message = "bigip sim accept failed", %error);
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let stream = match acceptor.accept(tcp).await {
                Ok(stream) => stream,
                Err(error) => {
                    tracing::debug!(message = "bigip sim tls handshake failed", %peer, %error);
                    return;
                }
            };
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let router = router.clone();
                    let shared = shared.clone();
                    async move { front(shared, router, request.map(Body::new)).await }
                },
            );
            let connection = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(message = "bigip sim connection ended", %peer, %error);
            }
        });
    }
}

/// Counts the request, applies injected faults, trims trailing slashes and hands over to the router.
async fn front(
    shared: Arc<Shared>,
    mut router: Router,
    mut request: Request,
) -> Result<Response, DroppedConnection> {
    let path = request.uri().path().to_owned();
    if path.starts_with("/mgmt") {
        let counters = &shared.counters;
        counters.requests.fetch_add(1, Ordering::Relaxed);
        if path.starts_with("/mgmt/tm") {
            let class = if request.method() == Method::GET {
                &counters.reads
            } else {
                &counters.writes
            };
            class.fetch_add(1, Ordering::Relaxed);
        }
        let (latency, injection) = shared.faults.next();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        if injection != Injection::None {
            counters.faults.fetch_add(1, Ordering::Relaxed);
        }
        match injection {
            Injection::None => {}
            Injection::DropConnection => return Err(DroppedConnection),
            Injection::Unavailable => return Ok(unavailable_page()),
            Injection::McpdLost => {
                return Ok(mcpd_error(&ModelError {
                    status: 500,
                    message: "The connection to mcpd has been lost, try again.".into(),
                    api_error: 32768001,
                }));
            }
            Injection::ExpireTokens => {
                for token in shared.lock().tokens.values_mut() {
                    token.expired = true;
                }
            }
        }
    }
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/').to_owned();
        let rebuilt = match request.uri().query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed,
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    let response: Result<Response, Infallible> = router.call(request).await;
    Ok(response.unwrap_or_else(|never| match never {}))
}

fn router(shared: Arc<Shared>) -> Router {
    let authenticated = Router::new()
        .route("/mgmt/shared/echo-query", get(echo))
        .route("/mgmt/shared/authz/tokens", get(list_tokens))
        .route(
            "/mgmt/shared/authz/tokens/{token}",
            get(read_token).patch(extend_token).delete(delete_token),
        )
        .route("/mgmt/tm/sys", get(sys))
        .route("/mgmt/tm/sys/version", get(sys_version))
        .route("/mgmt/tm/net/self", get(net_self))
        .route("/mgmt/tm/ltm/{*rest}", any(ltm))
        .route("/mgmt/tm/transaction", post(create_transaction))
        .route(
            "/mgmt/tm/transaction/{id}",
            get(read_transaction)
                .patch(commit_transaction)
                .delete(delete_transaction),
        )
        .route("/mgmt/tm/transaction/{id}/commands", get(list_commands))
        .route(
            "/mgmt/tm/transaction/{id}/commands/{command}",
            get(read_command)
                .patch(reorder_command)
                .delete(delete_command),
        )
        .route_layer(middleware::from_fn_with_state(shared.clone(), authenticate));
    Router::new()
        .merge(authenticated)
        .route("/mgmt/shared/authn/login", post(login))
        .route("/fulcrum-sim/counters", get(admin_counters))
        .route("/fulcrum-sim/counters/reset", post(admin_reset_counters))
        .route(
            "/fulcrum-sim/faults",
            get(admin_faults).put(admin_set_faults),
        )
        .route("/fulcrum-sim/member-load", put(admin_member_load))
        .fallback(not_registered)
        .with_state(shared)
}

fn json_response(status: u16, body: &impl serde::Serialize) -> Response {
    json_bytes(
        status,
        serde_json::to_vec(body).expect("answer bodies serialize"),
    )
}

fn json_bytes(status: u16, body: Vec<u8>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=utf-8")],
        body,
    )
        .into_response()
}

/// mcpd's error body: `{"code","message","errorStack":[],"apiError"}`.
fn mcpd_error(error: &ModelError) -> Response {
    json_response(
        error.status,
        &json!({"code": error.status, "message": error.message, "errorStack": [], "apiError": error.api_error}),
    )
}

/// restjavad's error body: `{"code","message","referer","restOperationId","kind":":resterrorresponse"}`.
fn framework_error(status: u16, message: &str) -> Response {
    static OPERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(7_945_916);
    let id = OPERATION.fetch_add(1, Ordering::Relaxed);
    json_response(
        status,
        &json!({"code": status, "message": message, "referer": "127.0.0.1", "restOperationId": id, "kind": ":resterrorresponse"}),
    )
}

fn unavailable_page() -> Response {
    let html = "<html><head><title>Configuration Utility restarting...</title></head><body>Configuration Utility restarting...</body></html>";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html")],
        html,
    )
        .into_response()
}

fn basic_auth_refused() -> Response {
    let html = "<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>";
    (
        StatusCode::UNAUTHORIZED,
        [(header::CONTENT_TYPE, "text/html; charset=iso-8859-1")],
        html,
    )
        .into_response()
}

async fn not_registered(uri: Uri) -> Response {
    let message = format!(
        "URI path {} not registered.  Please verify URI is supported and wait for /available suffix to be responsive.",
        uri.path()
    );
    framework_error(404, &message)
}

/// The user name and password of a Basic header, if any.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Accepts a live `X-F5-Auth-Token` or correct Basic credentials.
async fn authenticate(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let Some(token) = headers.get("X-F5-Auth-Token").and_then(|v| v.to_str().ok()) {
        let refusal = {
            let guard = shared.lock();
            match guard.tokens.get(token) {
                None => Some("X-F5-Auth-Token does not exist."),
                Some(record)
                    if record.expired
                        || record.issued.elapsed() >= Duration::from_secs(record.timeout_secs) =>
                {
                    Some("X-F5-Auth-Token has expired.")
                }
                Some(_) => None,
            }
        };
        return match refusal {
            Some(message) => framework_error(401, message),
            None => next.run(request).await,
        };
    }
    match basic_credentials(headers) {
        Some((user, password)) if user == shared.user && password == shared.password => {
            next.run(request).await
        }
        Some(_) => basic_auth_refused(),
        None => framework_error(
            401,
            &format!(
                "Authorization failed: no user authentication header or token detected. Uri:http://localhost:8100{} Referrer:127.0.0.1 Sender:127.0.0.1",
                request.uri().path()
            ),
        ),
    }
}

fn now_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

fn new_token_value() -> String {
    use std::hash::{BuildHasher, Hasher};
    const BASE32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut value = String::with_capacity(26);
    while value.len() < 26 {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(now_micros());
        let mut bits = hasher.finish();
        for _ in 0..12 {
            if value.len() == 26 {
                break;
            }
            value.push(BASE32[(bits & 31) as usize] as char);
            bits >>= 5;
        }
    }
    value
}

fn render_token(value: &str, record: &TokenRecord) -> Value {
    let now = now_micros();
    let elapsed = record.issued.elapsed().as_micros() as u64;
    json!({
        "token": value, "name": value, "userName": record.user, "authProviderName": "tmos",
        "user": {"link": format!("https://localhost/mgmt/shared/authz/users/{}", record.user)},
        "timeout": record.timeout_secs, "startTime": "2026-01-01T00:00:00.000+0000", "address": "127.0.0.1",
        "partition": "[All]", "generation": 1, "lastUpdateMicros": now,
        "expirationMicros": record.issued_micros + record.timeout_secs * 1_000_000,
        "ageMicros": elapsed,
        "kind": "shared:authz:tokens:authtokenitemstate",
        "selfLink": format!("https://localhost/mgmt/shared/authz/tokens/{value}"),
    })
}

async fn login(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return framework_error(400, "Bad Request: the login body must be JSON");
    };
    let field = |name: &str| {
        body.get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let (user, password, provider) = (
        field("username"),
        field("password"),
        body.get("loginProviderName")
            .and_then(Value::as_str)
            .unwrap_or("tmos")
            .to_owned(),
    );
    if provider != "tmos" {
        return framework_error(401, "loginProviderName is invalid.");
    }
    if user != shared.user || password != shared.password {
        return framework_error(401, "Authentication failed.");
    }
    let mut guard = shared.lock();
    let live = guard
        .tokens
        .values()
        .filter(|t| t.user == user && !t.expired)
        .count();
    if user != "admin" && live >= MAX_TOKENS_PER_USER {
        return framework_error(
            400,
            &format!("Bad Request: user {user} has reached maximum active login tokens"),
        );
    }
    let value = new_token_value();
    let record = TokenRecord {
        user: user.clone(),
        timeout_secs: shared.token_timeout_secs,
        issued: Instant::now(),
        issued_micros: now_micros(),
        expired: false,
    };
    let token = render_token(&value, &record);
    guard.tokens.insert(value, record);
    shared.counters.logins.fetch_add(1, Ordering::Relaxed);
    let link = "https://localhost/mgmt/cm/system/authn/providers/tmos/1f44a60e-11a7-3c51-a49f-82983026b41b/login";
    json_response(
        200,
        &json!({"username": user, "loginReference": {"link": link}, "loginProviderName": provider, "token": token, "generation": 0, "lastUpdateMicros": 0}),
    )
}

async fn echo() -> Response {
    json_response(
        200,
        &json!({"kind": "shared:echo-query:echorequeststate", "selfLink": "https://localhost/mgmt/shared/echo-query"}),
    )
}

async fn list_tokens(State(shared): State<Arc<Shared>>) -> Response {
    let guard = shared.lock();
    let items: Vec<Value> = guard
        .tokens
        .iter()
        .map(|(value, record)| render_token(value, record))
        .collect();
    json_response(
        200,
        &json!({"items": items, "kind": "shared:authz:tokens:authtokencollectionstate", "selfLink": "https://localhost/mgmt/shared/authz/tokens"}),
    )
}

async fn read_token(State(shared): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    match shared.lock().tokens.get(&token) {
        Some(record) => json_response(200, &render_token(&token, record)),
        None => framework_error(404, &format!("Token {token} was not found.")),
    }
}

async fn extend_token(
    State(shared): State<Arc<Shared>>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let requested =
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|b| match b.get("timeout") {
                Some(Value::Number(n)) => n.as_u64(),
                Some(Value::String(s)) => s.parse().ok(),
                _ => None,
            });
    let Some(timeout) = requested else {
        return framework_error(400, "Bad Request: timeout must be a number of seconds");
    };
    if timeout > MAX_TOKEN_TIMEOUT_SECS {
        return framework_error(406, "Auth-token absolute timeout (36000 seconds) exceeded");
    }
    let mut guard = shared.lock();
    match guard.tokens.get_mut(&token) {
        Some(record) => {
            record.timeout_secs = timeout;
            json_response(200, &render_token(&token, record))
        }
        None => framework_error(404, &format!("Token {token} was not found.")),
    }
}

async fn delete_token(State(shared): State<Arc<Shared>>, Path(token): Path<String>) -> Response {
    match shared.lock().tokens.remove(&token) {
        Some(_) => StatusCode::OK.into_response(),
        None => framework_error(404, &format!("Token {token} was not found.")),
    }
}

async fn sys(State(shared): State<Arc<Shared>>) -> Response {
    let link = |path: &str| json!({"reference": {"link": format!("https://localhost/mgmt/tm/sys/{path}?ver={}", shared.version)}});
    json_response(
        200,
        &json!({
            "kind": "tm:sys:syscollectionstate",
            "selfLink": format!("https://localhost/mgmt/tm/sys?ver={}", shared.version),
            "items": [link("application"), link("dns"), link("version")],
        }),
    )
}

async fn sys_version(State(shared): State<Arc<Shared>>) -> Response {
    let entry = "https://localhost/mgmt/tm/sys/version/0";
    json_response(
        200,
        &json!({
            "kind": "tm:sys:version:versionstats",
            "selfLink": format!("https://localhost/mgmt/tm/sys/version?ver={}", shared.version),
            "entries": { entry: {"nestedStats": {"entries": {
                "Build": {"description": "0.0.1"}, "Edition": {"description": "Final"},
                "Product": {"description": "BIG-IP"}, "Version": {"description": shared.version},
            }}}},
        }),
    )
}

async fn net_self(State(shared): State<Arc<Shared>>) -> Response {
    json_response(
        200,
        &json!({"kind": "tm:net:self:selfcollectionstate", "selfLink": format!("https://localhost/mgmt/tm/net/self?ver={}", shared.version), "items": []}),
    )
}

/// The `/mgmt/tm/ltm/` segments of a path, percent-decoded.
fn ltm_segments(path: &str) -> Vec<String> {
    path.trim_start_matches("/mgmt/tm/ltm/")
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect()
}

fn parse_body(body: &[u8]) -> Result<Option<Value>, ModelError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body)
        .map(Some)
        .map_err(|e| ModelError::bad_request(format!("Unexpected character in the JSON body: {e}")))
}

fn coordination_id(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(COORDINATION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
}

async fn ltm(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let Some(resource) = Resource::parse(&ltm_segments(uri.path())) else {
        return not_registered(uri).await;
    };
    let body = match parse_body(&body) {
        Ok(body) => body,
        Err(error) => return mcpd_error(&error),
    };
    let read = method == Method::GET;
    let options = match read.then(|| QueryOptions::parse(uri.query())).transpose() {
        Ok(options) => options.flatten(),
        Err(error) => return mcpd_error(&error),
    };
    let mut guard = shared.lock();
    if let Some(id) = coordination_id(&headers).filter(|_| method != Method::GET) {
        let version = guard.store.version().to_owned();
        let Some(transaction) = live_transaction(&mut guard, id) else {
            return mcpd_error(&ModelError::bad_request(format!(
                "Transaction {id} does not exist or has expired."
            )));
        };
        if transaction.state != "STARTED" {
            return mcpd_error(&ModelError::bad_request(format!(
                "Transaction {id} is not in STARTED state."
            )));
        }
        transaction.next_command += 1;
        let command = Command {
            id: transaction.next_command,
            eval_order: transaction.next_command,
            method: method.to_string(),
            path: uri.path().to_owned(),
            body: body.unwrap_or(json!({})),
        };
        let rendered = json_response(200, &render_command(id, &command, &version));
        transaction.commands.push(command);
        return rendered;
    }
    let reply = guard
        .store
        .execute(method.as_str(), &resource, body.as_ref());
    // The query options reshape the answer after the lock is released.
    let shaping = options.map(|options| (options, guard.store.version().to_owned()));
    drop(guard);
    match reply {
        Ok(Reply::Empty) => StatusCode::OK.into_response(),
        Ok(Reply::Json(body)) => match shaping {
            Some((options, version)) => json_bytes(200, options.apply(&body, uri.path(), &version)),
            None => json_bytes(200, body),
        },
        Err(error) => mcpd_error(&error),
    }
}

/// The transaction, unless it is missing or has outlived its timeout (then it is deleted).
fn live_transaction(guard: &mut Box_, id: u64) -> Option<&mut PendingTransaction> {
    let expired = guard.transactions.get(&id).is_some_and(|t| {
        t.state == "STARTED" && t.created.elapsed() >= Duration::from_secs(t.timeout_secs)
    });
    if expired {
        guard.transactions.remove(&id);
    }
    guard.transactions.get_mut(&id)
}

/// A queued command as the device echoes it.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct CommandBody<'a> {
    method: &'a str,
    uri: LocalUri<'a>,
    body: &'a Value,
    eval_order: u32,
    command_id: u32,
    kind: &'static str,
    self_link: Link<'a, CommandPath>,
}

/// `https://localhost{path}`.
struct LocalUri<'a>(&'a str);

impl serde::Serialize for LocalUri<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("https://localhost{}", self.0))
    }
}

/// `/mgmt/tm/transaction/<id>/commands/<command>`.
struct CommandPath {
    transaction: u64,
    command: u32,
}

impl std::fmt::Display for CommandPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "/mgmt/tm/transaction/{}/commands/{}",
            self.transaction, self.command
        )
    }
}

fn render_command<'a>(id: u64, command: &'a Command, version: &'a str) -> CommandBody<'a> {
    CommandBody {
        method: &command.method,
        uri: LocalUri(&command.path),
        body: &command.body,
        eval_order: command.eval_order,
        command_id: command.id,
        kind: "tm:transaction:commandsstate",
        self_link: Link {
            path: CommandPath {
                transaction: id,
                command: command.id,
            },
            version,
        },
    }
}

fn render_transaction(id: u64, transaction: &PendingTransaction, version: &str) -> Value {
    json!({
        "transId": id, "state": transaction.state, "timeoutSeconds": transaction.timeout_secs,
        "asyncExecution": false, "validateOnly": false, "executionTimeout": 300, "executionTime": 0,
        "failureReason": "", "kind": "tm:transactionstate",
        "selfLink": format!("https://localhost/mgmt/tm/transaction/{id}?ver={version}"),
    })
}

/// Management calls on transactions must not carry the coordination header.
fn refuse_coordinated(headers: &HeaderMap, method: &Method, uri: &Uri) -> Option<Response> {
    coordination_id(headers).map(|id| {
        mcpd_error(&ModelError::bad_request(format!(
            "Transaction {id} operation {method} {} is not allowed to be added to transaction.",
            uri.path()
        )))
    })
}

async fn create_transaction(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let mut guard = shared.lock();
    guard.next_transaction += 1;
    let id = guard.next_transaction;
    let transaction = PendingTransaction {
        state: "STARTED",
        created: Instant::now(),
        timeout_secs: TRANSACTION_TIMEOUT_SECS,
        commands: Vec::new(),
        next_command: 0,
    };
    let rendered = render_transaction(id, &transaction, guard.store.version());
    guard.transactions.insert(id, transaction);
    json_response(200, &rendered)
}

fn missing_transaction() -> Response {
    mcpd_error(&ModelError {
        status: 404,
        message: "Missing transaction ID for this call.".into(),
        api_error: 1,
    })
}

async fn read_transaction(State(shared): State<Arc<Shared>>, Path(id): Path<u64>) -> Response {
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    match live_transaction(&mut guard, id) {
        Some(transaction) => json_response(200, &render_transaction(id, transaction, &version)),
        None => missing_transaction(),
    }
}

/// `PATCH {"state":"VALIDATING"}`: runs every command on a copy of the configuration and keeps
/// the copy only if all succeed (and `validateOnly` is not set).
async fn commit_transaction(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let body = match parse_body(&body) {
        Ok(body) => body.unwrap_or(json!({})),
        Err(error) => return mcpd_error(&error),
    };
    if body.get("state").and_then(Value::as_str) != Some("VALIDATING") {
        return mcpd_error(&ModelError::invalid_state(
            body.get("state").unwrap_or(&Value::Null),
        ));
    }
    let validate_only = body
        .get("validateOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    let Some(transaction) = live_transaction(&mut guard, id) else {
        return missing_transaction();
    };
    if transaction.state != "STARTED" {
        return mcpd_error(&ModelError::bad_request(format!(
            "Transaction {id} is not in STARTED state."
        )));
    }
    if transaction.commands.is_empty() {
        return mcpd_error(&ModelError::bad_request(format!(
            "Transaction {id} failed: there is no command to commit in the transaction."
        )));
    }
    let mut commands: Vec<(u32, String, String, Value)> = transaction
        .commands
        .iter()
        .map(|c| {
            (
                c.eval_order,
                c.method.clone(),
                c.path.clone(),
                c.body.clone(),
            )
        })
        .collect();
    commands.sort_by_key(|(order, ..)| *order);
    let mut candidate = guard.store.clone();
    for (_, method, path, body) in &commands {
        let outcome = match Resource::parse(&ltm_segments(path)) {
            Some(resource) => candidate.write(method, &resource, Some(body)).map(drop),
            None => Err(ModelError::bad_request(format!(
                "URI path {path} is not supported in a transaction."
            ))),
        };
        if let Err(error) = outcome {
            if let Some(transaction) = guard.transactions.get_mut(&id) {
                transaction.state = "FAILED";
            }
            return mcpd_error(&ModelError {
                status: 400,
                message: format!("transaction failed:{}", error.message),
                api_error: 2,
            });
        }
    }
    if !validate_only {
        guard.store = candidate;
    }
    let transaction = guard.transactions.get_mut(&id).expect("looked up above");
    transaction.state = "COMPLETED";
    let rendered = render_transaction(id, transaction, &version);
    drop(guard);
    if !validate_only {
        shared.counters.transactions.fetch_add(1, Ordering::Relaxed);
    }
    json_response(200, &rendered)
}

async fn delete_transaction(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    match shared.lock().transactions.remove(&id) {
        Some(_) => StatusCode::OK.into_response(),
        None => missing_transaction(),
    }
}

async fn list_commands(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<u64>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    let Some(transaction) = live_transaction(&mut guard, id) else {
        return missing_transaction();
    };
    let items: Vec<CommandBody<'_>> = transaction
        .commands
        .iter()
        .map(|c| render_command(id, c, &version))
        .collect();
    json_response(
        200,
        &json!({"kind": "tm:transaction:commandscollectionstate", "selfLink": format!("https://localhost/mgmt/tm/transaction/{id}/commands?ver={version}"), "items": items}),
    )
}

/// Looks up one command and hands it to `act`; 400 "Found invalid command id" when it is missing.
fn with_command(
    shared: &Shared,
    id: u64,
    command: u32,
    act: impl FnOnce(&mut PendingTransaction, usize, &str) -> Response,
) -> Response {
    let mut guard = shared.lock();
    let version = guard.store.version().to_owned();
    let Some(transaction) = live_transaction(&mut guard, id) else {
        return missing_transaction();
    };
    match transaction.commands.iter().position(|c| c.id == command) {
        Some(index) => act(transaction, index, &version),
        None => mcpd_error(&ModelError {
            status: 400,
            message: format!("Found invalid command id {command}"),
            api_error: 1,
        }),
    }
}

async fn read_command(
    State(shared): State<Arc<Shared>>,
    Path((id, command)): Path<(u64, u32)>,
) -> Response {
    with_command(&shared, id, command, |t, index, version| {
        json_response(200, &render_command(id, &t.commands[index], version))
    })
}

async fn reorder_command(
    State(shared): State<Arc<Shared>>,
    Path((id, command)): Path<(u64, u32)>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    let order = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|b| b.get("evalOrder").and_then(Value::as_u64));
    let Some(order) = order.and_then(|o| u32::try_from(o).ok()) else {
        return mcpd_error(&ModelError::bad_request(
            "invalid property value \"evalOrder\"",
        ));
    };
    with_command(&shared, id, command, |t, index, version| {
        t.commands[index].eval_order = order;
        json_response(200, &render_command(id, &t.commands[index], version))
    })
}

async fn delete_command(
    State(shared): State<Arc<Shared>>,
    Path((id, command)): Path<(u64, u32)>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    if let Some(refusal) = refuse_coordinated(&headers, &method, &uri) {
        return refusal;
    }
    with_command(&shared, id, command, |t, index, _| {
        t.commands.remove(index);
        StatusCode::OK.into_response()
    })
}

async fn admin_counters(State(shared): State<Arc<Shared>>) -> Response {
    json_response(200, &json!(shared.counters.snapshot()))
}

async fn admin_reset_counters(State(shared): State<Arc<Shared>>) -> Response {
    shared.counters.reset();
    json_response(200, &json!(shared.counters.snapshot()))
}

async fn admin_faults(State(shared): State<Arc<Shared>>) -> Response {
    json_response(200, &json!(shared.faults.get()))
}

async fn admin_set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Faults>(&body) {
        Ok(faults) => {
            shared.faults.set(faults);
            json_response(200, &json!(shared.faults.get()))
        }
        Err(error) => json_response(
            400,
            &json!({"code": 400, "message": format!("faults: {error}")}),
        ),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberLoad {
    pool: String,
    member: String,
    healthy: Option<bool>,
    connections: Option<u64>,
}

async fn admin_member_load(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let load = match serde_json::from_slice::<MemberLoad>(&body) {
        Ok(load) => load,
        Err(error) => {
            return json_response(
                400,
                &json!({"code": 400, "message": format!("member-load: {error}")}),
            );
        }
    };
    let (pool, member) = (FullPath::parse(&load.pool), FullPath::parse(&load.member));
    match shared.set_member_load(&pool, &member, load.healthy, load.connections) {
        Ok(()) => json_response(
            200,
            &json!({"pool": pool.as_str(), "member": member.as_str()}),
        ),
        Err(error) => json_response(404, &json!({"code": 404, "message": error.to_string()})),
    }
}
