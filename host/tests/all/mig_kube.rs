//! The Kubernetes node-label executor against a loopback node API that
//! kubectl drives too: what the executor patches is what `kubectl get`
//! shows, and what `kubectl label` writes (standing in for the GPU
//! Operator's MIG manager) is what the executor reads back as the state.
//!
//! The API serves GET and PATCH (JSON merge patch) of `/api/v1/nodes/{name}`
//! and the discovery documents kubectl reads first, over plain HTTP (as a
//! `kubectl proxy` does) or HTTPS with a certificate from a throwaway CA (as
//! an API server does). kubectl must be installed (Debian's
//! kubernetes-client); without it these tests fail.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use fulcrum_host::actuators::mig::executor::any::AnyExecutor;
use fulcrum_host::actuators::mig::executor::kube::{
    CONFIG_LABEL, KubeConfig, KubeExecutor, STATE_LABEL,
};
use fulcrum_host::actuators::mig::executor::mig_parted::config_name;
use fulcrum_host::actuators::mig::executor::{ApplyStatus, Executor};
use fulcrum_host::actuators::mig::request::MigRequest;
use fulcrum_host::error_chain::with_causes;

const TOKEN: &str = "loopback-token";
const NODE: &str = "ml-node-1";
/// Every test finishes well inside this.
const TEST_BOUND: Duration = Duration::from_secs(90);

#[derive(Default)]
struct Api {
    nodes: BTreeMap<String, Value>,
    /// Content type of every PATCH, and whether it carried a bearer token, in order.
    patches: Vec<(String, bool)>,
    version: u64,
}

type Shared = Arc<Mutex<Api>>;

fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn status_body(code: StatusCode, reason: &str, message: &str) -> Response {
    json_response(
        code,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
               "message": message, "reason": reason, "code": code.as_u16()}),
    )
}

/// A wrong token is refused; no token is anonymous access, which the API
/// allows as a `kubectl proxy` does (kubectl sends no token over plain HTTP).
fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .is_none_or(|v| v.to_str().ok() == Some(&format!("Bearer {TOKEN}")))
}

fn bearer(headers: &HeaderMap) -> bool {
    headers.get(header::AUTHORIZATION).is_some()
}

/// RFC 7386: objects merge key by key, `null` removes, anything else replaces.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let target = target.as_object_mut().expect("made an object above");
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            merge_patch(target.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

async fn get_node(
    State(api): State<Shared>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&headers) {
        return status_body(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
    }
    match api.lock().unwrap().nodes.get(&name) {
        Some(node) => json_response(StatusCode::OK, node.clone()),
        None => status_body(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("nodes \"{name}\" not found"),
        ),
    }
}

async fn patch_node(
    State(api): State<Shared>,
    UrlPath(name): UrlPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&headers) {
        return status_body(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized");
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    // A strategic merge patch of labels (a plain map) merges as a merge patch does.
    if !matches!(
        content_type.as_str(),
        "application/merge-patch+json" | "application/strategic-merge-patch+json"
    ) {
        return status_body(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            &format!("the body of the request was in an unknown format: {content_type}"),
        );
    }
    let Ok(patch) = serde_json::from_slice::<Value>(&body) else {
        return status_body(StatusCode::BAD_REQUEST, "BadRequest", "body is not JSON");
    };
    let mut api = api.lock().unwrap();
    api.patches.push((content_type, bearer(&headers)));
    api.version += 1;
    let version = api.version.to_string();
    let Some(node) = api.nodes.get_mut(&name) else {
        return status_body(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("nodes \"{name}\" not found"),
        );
    };
    merge_patch(node, &patch);
    node["metadata"]["resourceVersion"] = json!(version);
    json_response(StatusCode::OK, node.clone())
}

fn discovery(addr: SocketAddr) -> Router<Shared> {
    let api = json!({
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": addr.to_string()}],
    });
    let resources = json!({
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "v1",
        "resources": [{
            "name": "nodes", "singularName": "node", "namespaced": false, "kind": "Node",
            "verbs": ["get", "list", "patch", "update"], "shortNames": ["no"],
        }],
    });
    let document = |body: Value| get(move || async move { json_response(StatusCode::OK, body) });
    Router::new()
        .route(
            "/version",
            document(json!({"major": "1", "minor": "32", "gitVersion": "v1.32.0",
                            "platform": "linux/amd64"})),
        )
        .route("/api", document(api))
        .route(
            "/apis",
            document(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})),
        )
        .route("/api/v1", document(resources))
}

/// Serve the API on a free loopback port with one node.
async fn serve() -> (SocketAddr, Shared) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (app, shared) = api(addr);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, shared)
}

/// The API over HTTPS, its certificate for 127.0.0.1 issued by a new CA;
/// returns that CA's certificate (PEM) too.
async fn serve_https() -> (SocketAddr, Shared, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (ca_pem, tls) = certificates();
    let (app, shared) = api(addr);
    let listener = TlsListener {
        tcp: listener,
        tls: tokio_rustls::TlsAcceptor::from(tls),
    };
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, shared, ca_pem)
}

/// A new CA's certificate (PEM), and a server configuration with a
/// certificate it issued for 127.0.0.1.
fn certificates() -> (String, Arc<rustls::ServerConfig>) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![CertificateDer::from(server.der().to_vec())], key)
    .unwrap();
    (ca.pem(), Arc::new(config))
}

/// Accepts TCP connections and completes their TLS handshakes; a failed
/// handshake (a client refusing the certificate) drops that connection only.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    tls: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, SocketAddr) {
        loop {
            let Ok((tcp, peer)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(stream) = self.tls.accept(tcp).await {
                return (stream, peer);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.tcp.local_addr()
    }
}

/// The API's routes and state, with one node, `NODE`.
fn api(addr: SocketAddr) -> (Router, Shared) {
    let mut api = Api::default();
    api.nodes.insert(
        NODE.into(),
        json!({
            "kind": "Node", "apiVersion": "v1",
            "metadata": {
                "name": NODE, "uid": "5e1f0000-0000-0000-0000-000000000001",
                "resourceVersion": "0", "creationTimestamp": "2026-07-14T09:00:00Z",
                "labels": {
                    "kubernetes.io/hostname": NODE,
                    "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
                    CONFIG_LABEL: "all-disabled",
                    STATE_LABEL: "success",
                },
            },
            "spec": {},
            "status": {"addresses": [{"type": "InternalIP", "address": "127.0.1.1"}]},
        }),
    );
    let shared = Arc::new(Mutex::new(api));
    let app = discovery(addr)
        .route("/api/v1/nodes/{name}", get(get_node).patch(patch_node))
        .with_state(shared.clone());
    (app, shared)
}

/// kubectl, with a kubeconfig for the loopback API in `dir`.
struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
}

const KUBECTL: &str = "kubectl";

impl Kubectl {
    fn new(dir: &Path, addr: SocketAddr) -> Kubectl {
        let installed = Command::new(KUBECTL)
            .args(["version", "--client"])
            .output()
            .is_ok_and(|out| out.status.success());
        assert!(
            installed,
            "kubectl is not installed (or not on PATH); these tests drive the loopback API with it. \
             Install it: `apt-get install kubernetes-client` on Debian"
        );
        let kubeconfig = dir.join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            format!(
                "apiVersion: v1\nkind: Config\n\
                 clusters:\n- name: loopback\n  cluster:\n    server: http://{addr}\n\
                 users:\n- name: fulcrum\n  user:\n    token: {TOKEN}\n\
                 contexts:\n- name: loopback\n  context:\n    cluster: loopback\n    user: fulcrum\n\
                 current-context: loopback\n"
            ),
        )
        .unwrap();
        Kubectl {
            kubeconfig,
            cache: dir.join("cache"),
        }
    }

    async fn run(&self, args: &[&str]) -> String {
        let mut command = Command::new(KUBECTL);
        command
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .arg("--request-timeout=20s")
            .args(args);
        let shown = format!("kubectl {}", args.join(" "));
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("{shown}: {e}"));
        assert!(
            output.status.success(),
            "{shown}: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    async fn labels(&self) -> BTreeMap<String, String> {
        let node: Value =
            serde_json::from_str(&self.run(&["get", "node", NODE, "-o", "json"]).await)
                .expect("kubectl prints the node as JSON");
        serde_json::from_value(node["metadata"]["labels"].clone()).unwrap()
    }

    async fn label(&self, key: &str, value: &str) {
        self.run(&[
            "label",
            "node",
            NODE,
            &format!("{key}={value}"),
            "--overwrite",
        ])
        .await;
    }
}

fn request() -> MigRequest {
    MigRequest {
        node: NODE.into(),
        gpus: vec![0, 1],
        model: "NVIDIA H100 80GB HBM3".into(),
        profiles: [
            ("1g.10gb".to_owned(), 2),
            ("3g.40gb".to_owned(), 1),
            ("2g.20gb".to_owned(), 1),
        ]
        .into(),
    }
}

fn executor(dir: &Path, addr: SocketAddr) -> KubeExecutor {
    executor_for(dir, format!("http://{addr}"), None)
}

/// An executor with the API's token for `server`, trusting `ca_file` if given.
fn executor_for(dir: &Path, server: String, ca_file: Option<PathBuf>) -> KubeExecutor {
    let token_file = dir.join("token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    KubeExecutor::new(&KubeConfig {
        server,
        token_file: Some(token_file),
        ca_file,
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_executor_and_kubectl_see_the_same_mig_labels() {
    tokio::time::timeout(TEST_BOUND, async {
        let (addr, api) = serve().await;
        let dir = tempfile::tempdir().unwrap();
        let kubectl = Kubectl::new(dir.path(), addr);
        let executor = executor(dir.path(), addr);
        let request = request();
        let name = config_name(&request);

        // The executor's patch, seen by kubectl: new config, old state gone.
        executor.apply(&request).await.unwrap();
        let labels = kubectl.labels().await;
        assert_eq!(labels.get(CONFIG_LABEL), Some(&name));
        assert_eq!(labels.get(STATE_LABEL), None);
        assert_eq!(
            labels.get("kubernetes.io/hostname").map(String::as_str),
            Some(NODE)
        );
        assert_eq!(executor.labels(NODE).await.unwrap(), labels);
        assert!(matches!(
            executor.status(&request).await.unwrap(),
            ApplyStatus::Pending(_)
        ));

        // The MIG manager's progress, written with kubectl, read by the executor.
        kubectl.label(STATE_LABEL, "pending").await;
        assert_eq!(
            executor.status(&request).await.unwrap(),
            ApplyStatus::Pending("pending".into())
        );
        kubectl.label(STATE_LABEL, "success").await;
        assert_eq!(
            executor.status(&request).await.unwrap(),
            ApplyStatus::Success
        );
        assert_eq!(executor.labels(NODE).await.unwrap(), kubectl.labels().await);

        kubectl.label(STATE_LABEL, "failed").await;
        let ApplyStatus::Failed(why) = executor.status(&request).await.unwrap() else {
            panic!("state failed must read as a failure");
        };
        assert!(why.contains(&name), "{why}");

        // Someone else selecting another config replaces this change.
        kubectl.label(CONFIG_LABEL, "all-balanced").await;
        kubectl.label(STATE_LABEL, "success").await;
        let ApplyStatus::Failed(why) = executor.status(&request).await.unwrap() else {
            panic!("another config must read as a failure");
        };
        assert!(why.contains("all-balanced"), "{why}");

        let patches = api.lock().unwrap().patches.clone();
        assert_eq!(
            patches[0],
            ("application/merge-patch+json".into(), true),
            "{patches:?}"
        );
        assert_eq!(
            patches.len(),
            6,
            "one executor patch and five kubectl labels: {patches:?}"
        );
    })
    .await
    .expect("the test finishes within its bound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_the_api_server_is_verified_against_the_named_ca() {
    tokio::time::timeout(TEST_BOUND, async {
        let (addr, api, ca_pem) = serve_https().await;
        let dir = tempfile::tempdir().unwrap();
        let server = format!("https://{addr}");
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &ca_pem).unwrap();
        let request = request();

        // Another CA's certificate, or the system roots: the handshake fails
        // and nothing reaches the API.
        let (other_ca, _) = certificates();
        let other_ca_file = dir.path().join("other-ca.pem");
        std::fs::write(&other_ca_file, other_ca).unwrap();
        for untrusted in [Some(other_ca_file), None] {
            let executor =
                AnyExecutor::Kubernetes(executor_for(dir.path(), server.clone(), untrusted));
            let error = with_causes(&executor.apply(&request).await.unwrap_err());
            assert!(error.contains("PATCH node ml-node-1"), "{error}");
            assert!(error.contains("invalid peer certificate"), "{error}");
            assert!(api.lock().unwrap().patches.is_empty());
        }

        let executor = executor_for(dir.path(), server, Some(ca_file));
        executor.apply(&request).await.unwrap();
        assert_eq!(
            executor.labels(NODE).await.unwrap().get(CONFIG_LABEL),
            Some(&config_name(&request))
        );
        assert_eq!(
            api.lock().unwrap().patches,
            [("application/merge-patch+json".to_owned(), true)],
            "the token went over the verified connection"
        );
    })
    .await
    .expect("the test finishes within its bound");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_name_the_node_and_status() {
    tokio::time::timeout(TEST_BOUND, async {
        let (addr, _api) = serve().await;
        let dir = tempfile::tempdir().unwrap();
        let executor = executor(dir.path(), addr);
        let mut missing = request();
        missing.node = "ml-node-9".into();
        let error = executor.apply(&missing).await.unwrap_err().to_string();
        assert!(error.contains("PATCH node ml-node-9: HTTP 404"), "{error}");

        let wrong = dir.path().join("wrong-token");
        std::fs::write(&wrong, "not-the-token").unwrap();
        let intruder = KubeExecutor::new(&KubeConfig {
            server: format!("http://{addr}/"),
            token_file: Some(wrong),
            ca_file: None,
            timeout: Duration::from_secs(10),
        })
        .unwrap();
        let error = intruder.status(&request()).await.unwrap_err().to_string();
        assert!(error.contains("GET node ml-node-1: HTTP 401"), "{error}");

        let mut bad = request();
        bad.node = "Bad/Name".into();
        let error = executor.apply(&bad).await.unwrap_err().to_string();
        assert!(error.contains("not a valid node name"), "{error}");

        let kube = |server: &str, ca_file: Option<PathBuf>| {
            KubeExecutor::new(&KubeConfig {
                server: server.into(),
                token_file: None,
                ca_file,
                timeout: Duration::from_secs(10),
            })
        };
        assert!(kube("https://127.0.0.1:6443", None).is_ok());
        let not_a_ca = dir.path().join("not-a-ca.pem");
        std::fs::write(&not_a_ca, "no certificate here").unwrap();
        let error = kube("https://127.0.0.1:6443", Some(not_a_ca.clone()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("no PEM certificate in it"), "{error}");
        let error = kube("http://127.0.0.1:8001", Some(not_a_ca))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("ca_file applies only to an https:// server"),
            "{error}"
        );
        let error = kube("ftp://127.0.0.1", None).unwrap_err().to_string();
        assert!(error.contains("expected an https:// URL"), "{error}");
    })
    .await
    .expect("the test finishes within its bound");
}
