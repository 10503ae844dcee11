//! One instant query against a Prometheus server's HTTP API
//! (`GET /api/v1/query?query=…`), bounded in time and size, its JSON answer
//! read into [`Series`]; every failure names the query URL.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use super::PrometheusError;
use crate::sources::http::{self, FetchError};
use crate::sources::reading::clip;

/// Largest answer read, bytes. 8 000 GPU series of one field come to about 3 MiB.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024 * 1024;

/// One series of an instant vector.
#[derive(Debug)]
pub(super) struct Series {
    pub labels: HashMap<String, String>,
    /// Sample time, milliseconds since the Unix epoch.
    pub time_ms: u64,
    pub value: f64,
}

/// Why a configured base URL gives no query endpoint.
#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error(transparent)]
    Parse(<reqwest::Url as FromStr>::Err),
    /// A URL such as `mailto:…` or `data:…`, which has no path to extend.
    #[error("cannot be a base URL")]
    NotABase,
}

/// `<base>/api/v1/query`.
pub(super) fn endpoint(base: &str) -> Result<reqwest::Url, EndpointError> {
    let mut url = reqwest::Url::parse(base).map_err(EndpointError::Parse)?;
    url.path_segments_mut()
        .map_err(|()| EndpointError::NotABase)?
        .pop_if_empty()
        .extend(["api", "v1", "query"]);
    Ok(url)
}

/// `<endpoint>?query=<promql>`.
pub(super) fn query_url(endpoint: &reqwest::Url, promql: &str) -> String {
    let mut url = endpoint.clone();
    url.query_pairs_mut().append_pair("query", promql);
    url.into()
}

/// Run the query at `url` (from [`query_url`]) within `timeout`.
pub(super) async fn instant_query(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<Vec<Series>, PrometheusError> {
    let fetched = tokio::time::timeout(timeout, http::get(client, url, MAX_ANSWER_BYTES))
        .await
        .map_err(|_| PrometheusError::Timeout {
            url: url.to_owned(),
            timeout,
        })?
        .map_err(|error| match error {
            FetchError::Request(reason) => PrometheusError::Request {
                url: url.to_owned(),
                reason,
            },
            FetchError::TooLarge { max } => PrometheusError::TooLarge {
                url: url.to_owned(),
                max,
            },
        })?;
    read_answer(url, fetched.status, &fetched.body)
}

/// The API's envelope; `data` on success, `errorType` and `error` otherwise.
#[derive(Deserialize)]
struct Answer {
    status: String,
    data: Option<Data>,
    #[serde(rename = "errorType")]
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
enum Data {
    Vector(Vec<VectorSeries>),
    Matrix(serde::de::IgnoredAny),
    Scalar(serde::de::IgnoredAny),
    String(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
struct VectorSeries {
    metric: HashMap<String, String>,
    /// `[unix seconds, "value"]`.
    value: (f64, String),
}

/// Read an answer of HTTP `status` from `url`.
pub(super) fn read_answer(
    url: &str,
    status: u16,
    body: &[u8],
) -> Result<Vec<Series>, PrometheusError> {
    let answer: Answer = match serde_json::from_slice(body) {
        Ok(answer) => answer,
        Err(_) if !(200..300).contains(&status) => {
            return Err(PrometheusError::Status {
                url: url.to_owned(),
                status,
                error: clip(&String::from_utf8_lossy(body)),
            });
        }
        Err(error) => {
            return Err(PrometheusError::Answer {
                url: url.to_owned(),
                reason: format!("not the query API's JSON: {error}"),
            });
        }
    };
    if answer.status != "success" {
        return Err(PrometheusError::Failed {
            url: url.to_owned(),
            status,
            error_type: answer.error_type.unwrap_or_default(),
            error: answer.error.unwrap_or_default(),
        });
    }
    let result_type = match answer.data {
        Some(Data::Vector(series)) => return series_of(url, series),
        Some(Data::Matrix(_)) => "matrix",
        Some(Data::Scalar(_)) => "scalar",
        Some(Data::String(_)) => "string",
        None => "nothing",
    };
    Err(PrometheusError::Answer {
        url: url.to_owned(),
        reason: format!("the query gave a {result_type}, not an instant vector"),
    })
}

fn series_of(url: &str, series: Vec<VectorSeries>) -> Result<Vec<Series>, PrometheusError> {
    series
        .into_iter()
        .enumerate()
        .map(|(at, VectorSeries { metric, value })| {
            let (seconds, text) = value;
            // Prometheus writes Go floats: `NaN`, `+Inf`, `-Inf`, decimals.
            let value = match text.as_str() {
                "NaN" => f64::NAN,
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                text => text.parse().map_err(|_| PrometheusError::Answer {
                    url: url.to_owned(),
                    reason: format!("series {}: value `{}` is not a number", at + 1, clip(text)),
                })?,
            };
            if !seconds.is_finite() || seconds < 0.0 {
                return Err(PrometheusError::Answer {
                    url: url.to_owned(),
                    reason: format!("series {}: time {seconds} is not a Unix time", at + 1),
                });
            }
            Ok(Series {
                labels: metric,
                time_ms: (seconds * 1000.0).round() as u64,
                value,
            })
        })
        .collect()
}
