//! Fetching one DCGM exporter's `/metrics` over HTTP, bounded in time and
//! size, and parsing it; every failure names the URL.

use std::time::Duration;

use super::{DcgmError, DcgmScrape, MAX_SCRAPE_BYTES, parse_scrape};

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
    let request_failed = |error: reqwest::Error| ScrapeError::Request {
        url: url.to_owned(),
        reason: error.to_string(),
    };
    let mut response = client.get(url).send().await.map_err(request_failed)?;
    if !response.status().is_success() {
        return Err(ScrapeError::Status {
            url: url.to_owned(),
            status: response.status().as_u16(),
        });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(request_failed)? {
        if body.len() + chunk.len() > MAX_SCRAPE_BYTES {
            return Err(ScrapeError::TooLarge {
                url: url.to_owned(),
                max: MAX_SCRAPE_BYTES,
            });
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|error| ScrapeError::Request {
        url: url.to_owned(),
        reason: format!("the body is not UTF-8: {error}"),
    })
}
