//! The Compute v1 REST client: one method per API call Fulcrum makes, each
//! retried by [`RetryPolicy`] and, for mutations, waited until its Operation is
//! DONE. Errors name the resource and carry Google's code, reason and message.

mod operation;
mod retry;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::auth::Authenticator;
use crate::error::GceError;
use crate::wire::{
    Backend, BackendService, BackendServiceGroupHealth, ForwardingRule, InstanceGroupManager,
    ManagedInstance, ManagedInstanceList, Operation, ResourceList, TargetHttpProxy, UrlMap,
};

pub use retry::{RetryPolicy, is_retryable};

/// The production API root.
pub const DEFAULT_API_ROOT: &str = "https://compute.googleapis.com/compute/v1/";

/// Where and how the client talks to Compute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Base URL ending in `/compute/v1/`; a simulator's is `http://127.0.0.1:PORT/compute/v1/`.
    pub api_root: String,
    /// The project every call addresses.
    pub project: String,
    /// How failed requests are retried.
    pub retry: RetryPolicy,
    /// How long a mutation's Operation may take to reach DONE.
    pub operation_timeout: Duration,
}

impl ClientConfig {
    /// Production defaults for `project`.
    pub fn new(project: impl Into<String>) -> Self {
        Self {
            api_root: DEFAULT_API_ROOT.to_owned(),
            project: project.into(),
            retry: RetryPolicy::default(),
            operation_timeout: Duration::from_secs(300),
        }
    }
}

/// Where a managed instance group lives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// A zone, e.g. `us-central1-a`.
    Zone(String),
    /// A region, e.g. `us-central1`.
    Region(String),
}

impl Location {
    /// `zones/{z}` or `regions/{r}`.
    pub fn path(&self) -> String {
        match self {
            Self::Zone(zone) => format!("zones/{zone}"),
            Self::Region(region) => format!("regions/{region}"),
        }
    }
}

/// A managed instance group, zonal or regional.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupRef {
    /// The zone or region it lives in.
    pub location: Location,
    /// The resource name.
    pub name: String,
}

impl GroupRef {
    /// A zonal group.
    pub fn zonal(zone: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            location: Location::Zone(zone.into()),
            name: name.into(),
        }
    }

    /// A regional group.
    pub fn regional(region: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            location: Location::Region(region.into()),
            name: name.into(),
        }
    }

    fn path(&self) -> String {
        format!(
            "{}/instanceGroupManagers/{}",
            self.location.path(),
            self.name
        )
    }
}

/// A backend service, global or regional.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BackendServiceRef {
    /// `None` for a global backend service.
    pub region: Option<String>,
    /// The resource name.
    pub name: String,
}

impl BackendServiceRef {
    /// A global backend service.
    pub fn global(name: impl Into<String>) -> Self {
        Self {
            region: None,
            name: name.into(),
        }
    }

    fn path(&self) -> String {
        match &self.region {
            Some(region) => format!("regions/{region}/backendServices/{}", self.name),
            None => format!("global/backendServices/{}", self.name),
        }
    }
}

/// One HTTP call to describe: method, path below `projects/{p}/`, query, body.
struct Call<'a> {
    method: Method,
    path: String,
    query: Vec<(&'a str, String)>,
    body: Option<Value>,
}

impl<'a> Call<'a> {
    fn get(path: String) -> Self {
        Self {
            method: Method::GET,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    fn post(path: String, body: Option<Value>) -> Self {
        Self {
            method: Method::POST,
            path,
            query: Vec::new(),
            body,
        }
    }

    fn with_query(mut self, key: &'a str, value: impl ToString) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    /// Marks a mutation: one fresh `requestId`, sent unchanged on every retry.
    fn idempotent(self) -> Self {
        self.with_query("requestId", uuid::Uuid::new_v4())
    }
}

/// The Compute v1 client.
#[derive(Debug, Clone)]
pub struct GceClient {
    http: reqwest::Client,
    auth: Arc<Authenticator>,
    config: ClientConfig,
}

impl GceClient {
    /// A client sending `config`'s calls over `http` with tokens from `auth`.
    pub fn new(config: ClientConfig, auth: Arc<Authenticator>, http: reqwest::Client) -> Self {
        Self { http, auth, config }
    }

    /// The configuration this client was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The self link Google gives `path` (below `projects/{p}/`).
    pub fn self_link(&self, path: &str) -> String {
        format!(
            "https://www.googleapis.com/compute/v1/projects/{}/{path}",
            self.config.project
        )
    }

    /// `instanceGroupManagers.get`.
    pub async fn get_group(&self, group: &GroupRef) -> Result<InstanceGroupManager, GceError> {
        self.send(Call::get(group.path())).await
    }

    /// `instanceGroupManagers.resize`, waited until DONE (creates and deletes
    /// are then scheduled, not finished).
    pub async fn resize(&self, group: &GroupRef, size: u32) -> Result<Operation, GceError> {
        let call = Call::post(format!("{}/resize", group.path()), None)
            .with_query("size", size)
            .idempotent();
        self.mutate(call).await
    }

    /// `instanceGroupManagers.deleteInstances` for instance names of the group,
    /// waited until DONE; the group's target size drops by their number.
    pub async fn delete_instances(
        &self,
        group: &GroupRef,
        instance_names: &[String],
    ) -> Result<Operation, GceError> {
        // Zonal members as partial URLs; a regional group's members live in
        // several zones, so they go by name (the API takes either, never mixed).
        let instances: Vec<String> = match &group.location {
            Location::Zone(zone) => instance_names
                .iter()
                .map(|name| format!("zones/{zone}/instances/{name}"))
                .collect(),
            Location::Region(_) => instance_names.to_vec(),
        };
        let body = json!({"instances": instances, "skipInstancesOnValidationError": false});
        let call = Call::post(format!("{}/deleteInstances", group.path()), Some(body)).idempotent();
        self.mutate(call).await
    }

    /// `instanceGroupManagers.listManagedInstances`, following page tokens.
    pub async fn list_managed_instances(
        &self,
        group: &GroupRef,
    ) -> Result<Vec<ManagedInstance>, GceError> {
        let mut instances = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let mut call = Call::post(format!("{}/listManagedInstances", group.path()), None);
            if let Some(token) = page_token.take() {
                call = call.with_query("pageToken", token);
            }
            let page: ManagedInstanceList = self.send(call).await?;
            instances.extend(page.managed_instances);
            match page.next_page_token {
                Some(token) if !token.is_empty() => page_token = Some(token),
                _ => return Ok(instances),
            }
        }
    }

    /// `backendServices.get`.
    pub async fn get_backend_service(
        &self,
        service: &BackendServiceRef,
    ) -> Result<BackendService, GceError> {
        self.send(Call::get(service.path())).await
    }

    /// `backendServices.patch` of the whole `backends` list under `fingerprint`,
    /// waited until DONE. A stale fingerprint fails with 412 `conditionNotMet`.
    pub async fn patch_backends(
        &self,
        service: &BackendServiceRef,
        fingerprint: &str,
        backends: &[Backend],
    ) -> Result<Operation, GceError> {
        let body = json!({"fingerprint": fingerprint, "backends": backends});
        let call = Call {
            method: Method::PATCH,
            path: service.path(),
            query: Vec::new(),
            body: Some(body),
        }
        .idempotent();
        self.mutate(call).await
    }

    /// `backendServices.getHealth` for one backend group URL.
    pub async fn get_health(
        &self,
        service: &BackendServiceRef,
        group_url: &str,
    ) -> Result<BackendServiceGroupHealth, GceError> {
        let body = json!({"group": group_url});
        self.send(Call::post(
            format!("{}/getHealth", service.path()),
            Some(body),
        ))
        .await
    }

    /// Every global URL map.
    pub async fn list_url_maps(&self) -> Result<Vec<UrlMap>, GceError> {
        self.list("global/urlMaps").await
    }

    /// Every global target HTTP proxy.
    pub async fn list_target_http_proxies(&self) -> Result<Vec<TargetHttpProxy>, GceError> {
        self.list("global/targetHttpProxies").await
    }

    /// Every global forwarding rule.
    pub async fn list_global_forwarding_rules(&self) -> Result<Vec<ForwardingRule>, GceError> {
        self.list("global/forwardingRules").await
    }

    async fn list<T: DeserializeOwned>(&self, collection: &str) -> Result<Vec<T>, GceError> {
        let mut items = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let mut call = Call::get(collection.to_owned());
            if let Some(token) = page_token.take() {
                call = call.with_query("pageToken", token);
            }
            let page: ResourceList<T> = self.send(call).await?;
            items.extend(page.items);
            match page.next_page_token {
                Some(token) if !token.is_empty() => page_token = Some(token),
                _ => return Ok(items),
            }
        }
    }

    /// Sends a mutation and waits for its Operation; an Operation that ends
    /// with errors is a failure.
    async fn mutate(&self, call: Call<'_>) -> Result<Operation, GceError> {
        let resource = call.path.clone();
        let started: Operation = self.send(call).await?;
        self.wait_operation(&resource, started).await
    }

    /// Sends `call`, retrying what Google's rules allow, and decodes the answer.
    async fn send<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, GceError> {
        let policy = self.config.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.send_once(&call).await {
                Ok(value) => return Ok(value),
                Err(error) if is_retryable(&error) && attempt < policy.max_attempts.max(1) => {
                    let wait = policy.backoff(attempt - 1);
                    tracing::warn!(
                        message = "retrying Compute call",
                        path = %call.path,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        %error
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(error) if is_retryable(&error) => {
                    return Err(GceError::RetriesExhausted {
                        resource: call.path.clone(),
                        attempts: attempt,
                        last: Box::new(error),
                    });
                }
                Err(error) => return Err(error),
            }
        }
    }

    async fn send_once<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, GceError> {
        let resource = call.path.clone();
        let url = format!(
            "{}projects/{}/{}",
            self.config.api_root, self.config.project, call.path
        );
        let mut request = self
            .http
            .request(call.method.clone(), &url)
            .query(&call.query)
            .query(&[("alt", "json"), ("prettyPrint", "false")]);
        if let Some(token) = self.auth.token().await? {
            request = request.bearer_auth(token.secret());
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let transport = |source| GceError::Transport {
            resource: resource.clone(),
            source,
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            return Err(GceError::from_response(&resource, status.as_u16(), &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|source| GceError::Decode { resource, source })
    }
}
