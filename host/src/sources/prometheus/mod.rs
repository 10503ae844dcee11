//! The Prometheus server source: DCGM exporter series read back from a
//! Prometheus server that scrapes the exporters, through instant queries
//! (`/api/v1/query`), one per reading ([`PrometheusQueries`]), into the same
//! [`GpuReading`]s as a direct scrape, grouped by node.
//!
//! - `api.rs` runs one query and reads its JSON answer;
//! - this file runs a source's queries concurrently and groups the series by
//!   node: by the host part of the `instance` label (`join = "address"`) or
//!   by the exporter's `Hostname`/`hostname` label (`join = "hostname"`);
//! - `tests.rs` checks answers, errors and grouping without a server (the
//!   end-to-end test in `host/tests/prometheus.rs` runs a real one).
//!
//! Each query's result is read as the DCGM field it stands for, so units,
//! ranges, MIG keys (`UUID`/`gpu` + `GPU_I_ID`), the engine-activity rule and
//! XID → health are exactly the DCGM parser's ([`super::dcgm`]). A node's
//! readings come from all queries or from none: when any query fails, the
//! source reports no node this cycle and every node keeps its last values.
//! [`FieldWarning`]s from this source name the query endpoint and the
//! 1-based position of the series in that field's result as the "line".
//!
//! [`PrometheusQueries`]: super::PrometheusQueries
//! [`GpuReading`]: super::GpuReading
//! [`FieldWarning`]: super::FieldWarning

mod api;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use super::config::{JoinBy, PrometheusConfig};
use super::dcgm::{Assembly, DcgmScrape, Sample};

pub use self::api::{EndpointError, MAX_ANSWER_BYTES};

/// Why a query gave nothing, or some of its series no node.
#[derive(Debug, thiserror::Error)]
pub enum PrometheusError {
    #[error("{url}: no answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error("{url}: request failed: {reason}")]
    Request { url: String, reason: String },
    #[error("{url}: answered HTTP {status}: {error}")]
    Status {
        url: String,
        status: u16,
        error: String,
    },
    #[error("{url}: the answer is larger than {max} bytes")]
    TooLarge { url: String, max: usize },
    #[error("{url}: query failed (HTTP {status}, {error_type}): {error}")]
    Failed {
        url: String,
        status: u16,
        error_type: String,
        error: String,
    },
    #[error("{url}: {reason}")]
    Answer { url: String, reason: String },
    #[error("{url}: {count} series have no `{label}` label to find their node by; ignored")]
    Unjoinable {
        url: String,
        label: String,
        count: usize,
    },
    #[error("{base}: not a URL: {source}")]
    BadUrl {
        base: String,
        #[source]
        source: EndpointError,
    },
}

/// One node's readings from a Prometheus source.
#[derive(Debug)]
pub struct PrometheusNode {
    /// The node's address or host name, per `join`.
    pub key: String,
    /// Time of the node's newest sample, ms since the Unix epoch.
    pub newest_ms: u64,
    /// Its GPUs and MIG instances, as a DCGM scrape would give them.
    pub readings: DcgmScrape,
}

/// What one round of queries gave.
#[derive(Debug, Default)]
pub struct PrometheusRead {
    /// Nodes in key order; empty when any query failed.
    pub nodes: Vec<PrometheusNode>,
    /// Failed queries, and series that could not be put to a node.
    pub errors: Vec<PrometheusError>,
}

/// Run every query of `config` concurrently, each within `config.timeout`.
pub async fn read(client: &reqwest::Client, config: &PrometheusConfig) -> PrometheusRead {
    let timeout = config.timeout;
    let endpoint = match api::endpoint(&config.url) {
        Ok(endpoint) => endpoint,
        Err(source) => {
            return PrometheusRead {
                nodes: Vec::new(),
                errors: vec![PrometheusError::BadUrl {
                    base: config.url.clone(),
                    source,
                }],
            };
        }
    };
    let mut queries = tokio::task::JoinSet::new();
    for (position, (field, promql)) in config.queries.by_field().into_iter().enumerate() {
        let url = api::query_url(&endpoint, promql);
        let client = client.clone();
        queries.spawn(async move {
            let answer = api::instant_query(&client, &url, timeout).await;
            (position, field, url, answer)
        });
    }
    let endpoint = endpoint.to_string();
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    while let Some(joined) = queries.join_next().await {
        match joined {
            Ok((position, field, url, Ok(series))) => answers.push((position, field, url, series)),
            Ok((.., Err(error))) => errors.push(error),
            Err(error) => errors.push(PrometheusError::Request {
                url: endpoint.clone(),
                reason: format!("query task failed: {error}"),
            }),
        }
    }
    if !errors.is_empty() {
        return PrometheusRead {
            nodes: Vec::new(),
            errors,
        };
    }
    answers.sort_by_key(|(position, ..)| *position);
    let answers: Vec<_> = answers
        .into_iter()
        .map(|(_, field, url, series)| (field, url, series))
        .collect();
    group(&endpoint, config.join, &config.address_label, &answers)
}

/// Group each field's series by node and assemble them into readings.
fn group(
    endpoint: &str,
    join: JoinBy,
    address_label: &str,
    answers: &[(&'static str, String, Vec<api::Series>)],
) -> PrometheusRead {
    let mut nodes: HashMap<&str, (Assembly<'_>, u64)> = HashMap::new();
    let mut errors = Vec::new();
    for (field, url, series) in answers {
        let mut unjoinable = 0;
        for (at, one) in series.iter().enumerate() {
            let Some(key) = node_key(join, address_label, &one.labels) else {
                unjoinable += 1;
                continue;
            };
            let (assembly, newest_ms) = nodes
                .entry(key)
                .or_insert_with(|| (Assembly::new(endpoint), 0));
            *newest_ms = (*newest_ms).max(one.time_ms);
            assembly.add(&Sample {
                line: at + 1,
                name: field,
                labels: one
                    .labels
                    .iter()
                    .map(|(name, value)| (name.as_str(), Cow::Borrowed(value.as_str())))
                    .collect(),
                value: one.value,
            });
        }
        if unjoinable > 0 {
            errors.push(PrometheusError::Unjoinable {
                url: url.clone(),
                label: match join {
                    JoinBy::Address => address_label.to_owned(),
                    JoinBy::Hostname => "Hostname".to_owned(),
                },
                count: unjoinable,
            });
        }
    }
    let mut nodes: Vec<PrometheusNode> = nodes
        .into_iter()
        .map(|(key, (assembly, newest_ms))| PrometheusNode {
            key: key.to_owned(),
            newest_ms,
            readings: assembly.finish(),
        })
        .collect();
    nodes.sort_by(|a, b| a.key.cmp(&b.key));
    PrometheusRead { nodes, errors }
}

/// The node a series belongs to: the host part of its address label, or its
/// host-name label.
fn node_key<'a>(
    join: JoinBy,
    address_label: &str,
    labels: &'a HashMap<String, String>,
) -> Option<&'a str> {
    match join {
        JoinBy::Address => labels.get(address_label).map(|instance| host_of(instance)),
        JoinBy::Hostname => labels
            .get("Hostname")
            .or_else(|| labels.get("hostname"))
            .map(String::as_str),
    }
}

/// `127.0.1.5` of `127.0.1.5:9400`, `::1` of `[::1]:9400`; the text itself
/// when it has no port.
pub(crate) fn host_of(address: &str) -> &str {
    if let Some(rest) = address.strip_prefix('[') {
        return rest.split_once(']').map_or(rest, |(host, _)| host);
    }
    match address.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host
        }
        _ => address,
    }
}
