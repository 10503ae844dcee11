//! One cycle's GPU telemetry: every configured source's targets read
//! concurrently, each within its own time limit; the readings joined to the
//! nodes of the cycle (pool members, managed instances); each node's newest
//! values kept from cycle to cycle with their age, and marked stale past the
//! source's limit.
//!
//! - `targets.rs`: [`NodeIdentity`], templates, finding a node by address or
//!   host name;
//! - this file: [`TelemetryCollector`], what it returns, and its errors;
//! - `snapshot.rs`: a node's telemetry as [`SnapshotBuilder`] rows;
//! - `tests.rs`: joining, staleness and failures against local servers.
//!
//! # Targets
//!
//! | kind | targets | joined to its node by |
//! |---|---|---|
//! | `dcgm` | `url` template filled in per node (default `http://{address}:9400/metrics`) | the node it was made from |
//! | `dcgm` | each of `urls` | its host (`join = "address"`) or the scrape's `Hostname` label (`"hostname"`) |
//! | `prometheus` | one instant query per reading | each series' `instance` host or `Hostname` label |
//! | `nvidia-smi` | `command`/`file` template per node, or once for `node` | the node it was made from, or `node` |
//!
//! Series for nodes that are not in the cycle (a Prometheus server sees
//! more than one pool) are ignored.
//!
//! # Age and staleness
//!
//! A node's telemetry from a source is the last good read: its age is the
//! cycle time minus the read's time (the scrape's cycle, or for Prometheus
//! the node's newest sample). A failed read reports a [`TargetError`] naming
//! the source and target and leaves the last good values in place, older by
//! a cycle; past the source's `stale_after` the node is stale. No read
//! outlives its `timeout`, so neither does [`TelemetryCollector::collect`].
//! With several sources, a node takes the first source (in configuration
//! order) whose telemetry is not stale, else the freshest stale one.

mod snapshot;
mod targets;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

pub use self::targets::NodeIdentity;
use self::targets::NodeIndex;
use super::config::{
    DEFAULT_DCGM_URL, DcgmConfig, JoinBy, NVIDIA_SMI_QUERY_FIELDS, NvidiaSmiConfig,
    NvidiaSmiFormat, TelemetryConfig,
};
use super::nvidia_smi::{self, Input, ListedGpu};
use super::prometheus::{self, PrometheusError, PrometheusRead, host_of};
use super::{FieldWarning, GpuReading, dcgm};

/// Most scrapes and commands in flight at once, over all sources.
pub const MAX_IN_FLIGHT: usize = 64;

/// Reads the configured telemetry sources once per cycle; keeps each node's
/// last good readings between cycles.
pub struct TelemetryCollector {
    sources: Vec<TelemetryConfig>,
    client: reqwest::Client,
    in_flight: Arc<Semaphore>,
    /// Per source: the last good readings of each node, by node address.
    last: Vec<HashMap<String, Arc<NodeReadings>>>,
}

/// What one read said about one node.
#[derive(Debug)]
pub struct NodeReadings {
    /// The scrape URL, command, file or Prometheus server read.
    pub target: String,
    /// When the values were read (ms since the Unix epoch, the cycle's clock).
    pub read_at_ms: u64,
    /// Whole GPUs.
    pub gpus: Vec<GpuReading>,
    /// MIG GPU instances (DCGM and Prometheus sources, the nvidia-smi table).
    pub mig_instances: Vec<GpuReading>,
    /// MIG devices listed by `nvidia-smi -L`, when the source runs it.
    pub mig_devices: Vec<ListedGpu>,
    /// Values dropped from otherwise good input.
    pub warnings: Vec<FieldWarning>,
}

/// One node's telemetry for this cycle.
#[derive(Debug, Clone)]
pub struct NodeTelemetry {
    /// The source it came from (index into the configured sources).
    pub source: Option<usize>,
    /// The newest readings; `None` when no source has ever read the node.
    pub readings: Option<Arc<NodeReadings>>,
    /// Age of the readings at the cycle time, ms; `u32::MAX` when there are none.
    pub age_ms: u32,
    /// Whether the readings are older than the source's staleness limit (or missing).
    pub stale: bool,
}

/// What [`TelemetryCollector::collect`] returns.
#[derive(Debug)]
pub struct CycleTelemetry {
    /// One per node given, in the same order.
    pub nodes: Vec<NodeTelemetry>,
    /// Reads that failed this cycle; their nodes kept their last readings.
    pub errors: Vec<TargetError>,
}

/// A target that gave nothing this cycle.
#[derive(Debug, thiserror::Error)]
#[error("telemetry[{source_index}] ({kind}): {error}")]
pub struct TargetError {
    /// Index of the source in the configuration.
    pub source_index: usize,
    /// `dcgm`, `prometheus` or `nvidia-smi`.
    pub kind: &'static str,
    /// The URL, command, file or server.
    pub target: String,
    /// Why; its message names the target too.
    pub error: SourceError,
}

/// Why a target gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error(transparent)]
    Dcgm(#[from] dcgm::ScrapeError),
    #[error(transparent)]
    Prometheus(#[from] PrometheusError),
    #[error(transparent)]
    NvidiaSmiRun(#[from] nvidia_smi::RunError),
    #[error(transparent)]
    NvidiaSmiOutput(#[from] nvidia_smi::NvidiaSmiError),
    #[error("{target}: no answer within {timeout:?}")]
    Timeout { target: String, timeout: Duration },
    #[error("{target}: no node of this cycle has {what} `{key}`")]
    Unjoined {
        target: String,
        what: &'static str,
        key: String,
    },
}

/// Why a collector could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CollectorError {
    #[error("telemetry: HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// The nodes of a cycle, for [`TelemetryCollector::spawn_nvidia_smi`].
struct NvidiaSmiTargets<'a> {
    nodes: &'a [NodeIdentity],
    index: &'a NodeIndex<'a>,
}

/// The outcome of one task.
enum Outcome {
    /// A read made for one node.
    ForNode {
        source: usize,
        node: usize,
        target: String,
        result: Result<NodeReadings, SourceError>,
    },
    /// A fixed target: its node is found by `key` once read.
    ToJoin {
        source: usize,
        join: JoinBy,
        target: String,
        result: Result<(String, NodeReadings), SourceError>,
    },
    Prometheus {
        source: usize,
        read: PrometheusRead,
    },
}

impl TelemetryCollector {
    /// A collector for `sources` (the `[[telemetry]]` tables, in order, as
    /// the configuration file's checks passed them).
    pub fn new(sources: Vec<TelemetryConfig>) -> Result<Self, CollectorError> {
        crate::tls::install_crypto_provider();
        let client = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(MAX_IN_FLIGHT)
            .tcp_nodelay(true)
            .build()
            .map_err(CollectorError::HttpClient)?;
        Ok(TelemetryCollector {
            last: sources.iter().map(|_| HashMap::new()).collect(),
            sources,
            client,
            in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
        })
    }

    /// The sources, in configuration order.
    pub fn sources(&self) -> &[TelemetryConfig] {
        &self.sources
    }

    /// Read every source for `nodes` at cycle time `now_ms` (ms since the
    /// Unix epoch). Returns within the longest `timeout` (plus parsing).
    pub async fn collect(&mut self, nodes: &[NodeIdentity], now_ms: u64) -> CycleTelemetry {
        let index = NodeIndex::new(nodes);
        let mut errors = Vec::new();
        let mut tasks = JoinSet::new();
        for (source, config) in self.sources.iter().enumerate() {
            match config {
                TelemetryConfig::Dcgm(config) => {
                    self.spawn_dcgm(&mut tasks, source, config, nodes, now_ms)
                }
                TelemetryConfig::Prometheus(config) => {
                    let client = self.client.clone();
                    let config = config.clone();
                    tasks.spawn(async move {
                        let read = prometheus::read(&client, &config).await;
                        Outcome::Prometheus { source, read }
                    });
                }
                TelemetryConfig::NvidiaSmi(config) => {
                    let targets = NvidiaSmiTargets {
                        nodes,
                        index: &index,
                    };
                    self.spawn_nvidia_smi(&mut tasks, &mut errors, source, config, targets, now_ms);
                }
            }
        }

        let mut fresh: Vec<Vec<(usize, NodeReadings)>> =
            self.sources.iter().map(|_| Vec::new()).collect();
        while let Some(joined) = tasks.join_next().await {
            let outcome = match joined {
                Ok(outcome) => outcome,
                Err(error) => {
                    // A task panicked: a bug, not a target's fault; its
                    // target keeps its last readings.
                    tracing::error!(%error, "a telemetry task failed");
                    continue;
                }
            };
            self.settle(outcome, &index, &mut fresh, &mut errors);
        }

        for (source, reads) in fresh.into_iter().enumerate() {
            for (node, readings) in reads {
                self.last[source].insert(nodes[node].address.clone(), Arc::new(readings));
            }
        }
        let present: HashSet<&str> = nodes.iter().map(|node| node.address.as_str()).collect();
        for last in &mut self.last {
            last.retain(|address, _| present.contains(address.as_str()));
        }
        errors.sort_by_key(|error| error.source_index);
        CycleTelemetry {
            nodes: nodes.iter().map(|node| self.pick(node, now_ms)).collect(),
            errors,
        }
    }

    fn spawn_dcgm(
        &self,
        tasks: &mut JoinSet<Outcome>,
        source: usize,
        config: &DcgmConfig,
        nodes: &[NodeIdentity],
        now_ms: u64,
    ) {
        let timeout = config.timeout;
        let template = config
            .url
            .clone()
            .or_else(|| config.urls.is_empty().then(|| DEFAULT_DCGM_URL.to_owned()));
        if let Some(template) = template {
            for (node, identity) in nodes.iter().enumerate() {
                let url = identity.fill(&template);
                let scrape = self.scrape(url.clone(), timeout, now_ms);
                tasks.spawn(async move {
                    let result = scrape.await.map(|(_, readings)| readings);
                    Outcome::ForNode {
                        source,
                        node,
                        target: url,
                        result,
                    }
                });
            }
        }
        for url in &config.urls {
            let scrape = self.scrape(url.clone(), timeout, now_ms);
            let (url, join) = (url.clone(), config.join);
            tasks.spawn(async move {
                let result = scrape.await.map(|(hostnames, readings)| {
                    let key = match join {
                        JoinBy::Address => reqwest::Url::parse(&url)
                            .ok()
                            .and_then(|parsed| parsed.host_str().map(str::to_owned))
                            .map(|host| host_of(&host).to_owned()),
                        JoinBy::Hostname => hostnames.into_iter().next(),
                    };
                    (key.unwrap_or_default(), readings)
                });
                Outcome::ToJoin {
                    source,
                    join,
                    target: url,
                    result,
                }
            });
        }
    }

    /// One DCGM scrape within `timeout`, counting the wait for a slot.
    fn scrape(
        &self,
        url: String,
        timeout: Duration,
        now_ms: u64,
    ) -> impl Future<Output = Result<(Vec<String>, NodeReadings), SourceError>> + Send + 'static
    {
        let client = self.client.clone();
        let in_flight = Arc::clone(&self.in_flight);
        let deadline = Instant::now() + timeout;
        async move {
            let read = async {
                let _slot = in_flight.acquire_owned().await;
                dcgm::scrape(&client, &url, timeout).await
            };
            let scrape = tokio::time::timeout_at(deadline, read)
                .await
                .map_err(|_| SourceError::Timeout {
                    target: url.clone(),
                    timeout,
                })??;
            let readings = NodeReadings {
                target: url,
                read_at_ms: now_ms,
                gpus: scrape.gpus,
                mig_instances: scrape.mig_instances,
                mig_devices: Vec::new(),
                warnings: scrape.warnings,
            };
            Ok((scrape.hostnames, readings))
        }
    }

    /// Spawn a source's nvidia-smi runs; a `node` that matches nothing goes to `errors`.
    fn spawn_nvidia_smi(
        &self,
        tasks: &mut JoinSet<Outcome>,
        errors: &mut Vec<TargetError>,
        source: usize,
        config: &NvidiaSmiConfig,
        NvidiaSmiTargets { nodes, index }: NvidiaSmiTargets<'_>,
        now_ms: u64,
    ) {
        let format = config.format;
        let query = match (&config.command, &config.file, format) {
            (_, Some(file), _) => Input::File(file.clone()),
            (Some(argv), None, _) => Input::Command(argv.clone()),
            (None, None, NvidiaSmiFormat::Csv) => Input::Command(vec![
                "nvidia-smi".to_owned(),
                format!("--query-gpu={NVIDIA_SMI_QUERY_FIELDS}"),
                "--format=csv".to_owned(),
            ]),
            (None, None, NvidiaSmiFormat::Table) => Input::Command(vec!["nvidia-smi".to_owned()]),
        };
        let list = match (&config.list_command, &config.list_file) {
            (_, Some(file)) => Some(Input::File(file.clone())),
            (Some(argv), None) => Some(Input::Command(argv.clone())),
            (None, None) => None,
        };
        let timeout = config.timeout;
        let mut spawn = |node: usize, query: Input, list: Option<Input>| {
            let in_flight = Arc::clone(&self.in_flight);
            let target = query.name();
            tasks.spawn(async move {
                let deadline = Instant::now() + timeout;
                let read = async {
                    let _slot = in_flight.acquire_owned().await;
                    read_nvidia_smi(format, &query, list.as_ref(), timeout, now_ms).await
                };
                let result = tokio::time::timeout_at(deadline, read)
                    .await
                    .unwrap_or_else(|_| {
                        Err(SourceError::Timeout {
                            target: query.name(),
                            timeout,
                        })
                    });
                Outcome::ForNode {
                    source,
                    node,
                    target,
                    result,
                }
            });
        };
        match &config.node {
            Some(key) => match index.find(config.join, key) {
                Some(node) => spawn(node, query, list),
                None => {
                    let target = query.name();
                    errors.push(TargetError {
                        source_index: source,
                        kind: "nvidia-smi",
                        target: target.clone(),
                        error: SourceError::Unjoined {
                            target,
                            what: join_what(config.join),
                            key: key.clone(),
                        },
                    });
                }
            },
            None => {
                for (node, identity) in nodes.iter().enumerate() {
                    let fill = |input: &Input| match input {
                        Input::Command(argv) => {
                            Input::Command(argv.iter().map(|arg| identity.fill(arg)).collect())
                        }
                        Input::File(path) => Input::File(identity.fill(path)),
                    };
                    spawn(node, fill(&query), list.as_ref().map(fill));
                }
            }
        }
    }

    /// File a task's outcome under `fresh` or `errors`.
    fn settle(
        &self,
        outcome: Outcome,
        index: &NodeIndex<'_>,
        fresh: &mut [Vec<(usize, NodeReadings)>],
        errors: &mut Vec<TargetError>,
    ) {
        let failed = |source: usize, target: String, error: SourceError| TargetError {
            source_index: source,
            kind: self.sources[source].kind(),
            target,
            error,
        };
        match outcome {
            Outcome::ForNode {
                source,
                node,
                target,
                result,
            } => match result {
                Ok(readings) => fresh[source].push((node, readings)),
                Err(error) => errors.push(failed(source, target, error)),
            },
            Outcome::ToJoin {
                source,
                join,
                target,
                result,
            } => match result {
                Ok((key, readings)) => match index.find(join, &key) {
                    Some(node) => fresh[source].push((node, readings)),
                    None => {
                        let error = SourceError::Unjoined {
                            target: target.clone(),
                            what: join_what(join),
                            key,
                        };
                        errors.push(failed(source, target, error));
                    }
                },
                Err(error) => errors.push(failed(source, target, error)),
            },
            Outcome::Prometheus { source, read } => {
                let TelemetryConfig::Prometheus(config) = &self.sources[source] else {
                    return;
                };
                for error in read.errors {
                    errors.push(failed(source, config.url.clone(), error.into()));
                }
                for node in read.nodes {
                    let Some(position) = index.find(config.join, &node.key) else {
                        continue;
                    };
                    fresh[source].push((
                        position,
                        NodeReadings {
                            target: config.url.clone(),
                            read_at_ms: node.newest_ms,
                            gpus: node.readings.gpus,
                            mig_instances: node.readings.mig_instances,
                            mig_devices: Vec::new(),
                            warnings: node.readings.warnings,
                        },
                    ));
                }
            }
        }
    }

    /// The telemetry `node` gets: the first fresh source's, else the freshest.
    fn pick(&self, node: &NodeIdentity, now_ms: u64) -> NodeTelemetry {
        let mut best: Option<NodeTelemetry> = None;
        for (source, config) in self.sources.iter().enumerate() {
            let Some(readings) = self.last[source].get(&node.address) else {
                continue;
            };
            let age = now_ms.saturating_sub(readings.read_at_ms);
            let candidate = NodeTelemetry {
                source: Some(source),
                readings: Some(Arc::clone(readings)),
                age_ms: u32::try_from(age).unwrap_or(u32::MAX),
                stale: Duration::from_millis(age) > config.stale_after(),
            };
            if !candidate.stale {
                return candidate;
            }
            if best
                .as_ref()
                .is_none_or(|best| candidate.age_ms < best.age_ms)
            {
                best = Some(candidate);
            }
        }
        best.unwrap_or(NodeTelemetry {
            source: None,
            readings: None,
            age_ms: u32::MAX,
            stale: true,
        })
    }
}

async fn read_nvidia_smi(
    format: NvidiaSmiFormat,
    query: &Input,
    list: Option<&Input>,
    timeout: Duration,
    now_ms: u64,
) -> Result<NodeReadings, SourceError> {
    let name = query.name();
    let text = nvidia_smi::read(query, timeout).await?;
    let mig_devices = match list {
        Some(list) => {
            let text = nvidia_smi::read(list, timeout).await?;
            nvidia_smi::parse_list(&list.name(), &text)?
        }
        None => Vec::new(),
    };
    let (gpus, mig_instances, warnings) = match format {
        NvidiaSmiFormat::Csv => {
            let parsed = nvidia_smi::parse_query_gpu(&name, &text)?;
            (parsed.gpus, Vec::new(), parsed.warnings)
        }
        NvidiaSmiFormat::Table => {
            let mut table = nvidia_smi::parse_table(&name, &text)?;
            table.add_listing(&mig_devices);
            (
                table.gpus.into_iter().map(|gpu| gpu.reading).collect(),
                table
                    .mig_devices
                    .into_iter()
                    .map(|mig| mig.reading)
                    .collect(),
                table.warnings,
            )
        }
    };
    Ok(NodeReadings {
        target: name,
        read_at_ms: now_ms,
        gpus,
        mig_instances,
        mig_devices,
        warnings,
    })
}

fn join_what(join: JoinBy) -> &'static str {
    match join {
        JoinBy::Address => "address",
        JoinBy::Hostname => "host name",
    }
}
