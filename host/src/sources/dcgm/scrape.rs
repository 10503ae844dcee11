//! Fetching one DCGM exporter's `/metrics` over HTTP, bounded in time and
//! size, and parsing it; every failure names the URL.

use std::time::Duration;

use super::{DcgmError, DcgmScrape, MAX_SCRAPE_BYTES, parse_scrape};
use crate::sources::http::{self, FetchError};

/// Why a scrape produced no readings.
#[derive(Debug, thiserror::Error)]
pub enum ScrapeError {
    #[error("{url}: no answer within {timeout:?}")]
    Timeout { url: String, timeout: Duration },
    #[error("{url}: request failed: {reason}")]
    Request { url: String, reason: String },
    #[error("{url}: answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url}: the body is larger than {max} bytes")]
    TooLarge { url: String, max: usize },
    #[error(transparent)]
    Parse(#[from] DcgmError),
}

/// Scrape `url` within `timeout` and parse what it serves.
pub async fn scrape(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> Result<DcgmScrape, ScrapeError> {
    let body = tokio::time::timeout(timeout, fetch(client, url))
        .await
        .map_err(|_| ScrapeError::Timeout {
            url: url.to_owned(),
            timeout,
        })??;
    Ok(parse_scrape(url, &body)?)
}

async fn fetch(client: &reqwest::Client, url: &str) -> Result<String, ScrapeError> {
    let fetched = http::get(client, url, MAX_SCRAPE_BYTES)
        .await
        .map_err(|error| match error {
            FetchError::Request(reason) => ScrapeError::Request {
                url: url.to_owned(),
                reason,
            },
            FetchError::TooLarge { max } => ScrapeError::TooLarge {
                url: url.to_owned(),
                max,
            },
        })?;
    if !(200..300).contains(&fetched.status) {
        return Err(ScrapeError::Status {
            url: url.to_owned(),
            status: fetched.status,
        });
    }
    String::from_utf8(fetched.body).map_err(|error| ScrapeError::Request {
        url: url.to_owned(),
        reason: format!("the body is not UTF-8: {error}"),
    })
}
