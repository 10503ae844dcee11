//! One bounded HTTP GET, shared by the sources that read over HTTP: the body
//! is read chunk by chunk and abandoned as soon as it passes the limit, so a
//! hostile server costs no more memory than the limit. Time limits are the
//! caller's.

use crate::error_chain::with_causes;

/// A response read whole.
pub(crate) struct Fetched {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why a GET produced no body.
#[derive(Debug)]
pub(crate) enum FetchError {
    /// Connecting, sending or reading failed.
    Request(String),
    /// The body passed `max` bytes.
    TooLarge { max: usize },
}

/// GET `url` and read at most `max` bytes of body, whatever the status.
pub(crate) async fn get(
    client: &reqwest::Client,
    url: &str,
    max: usize,
) -> Result<Fetched, FetchError> {
    // Callers name the URL; reqwest's message would repeat it.
    let failed = |error: reqwest::Error| FetchError::Request(with_causes(&error.without_url()));
    let mut response = client.get(url).send().await.map_err(failed)?;
    let status = response.status().as_u16();
    let announced = response.content_length().unwrap_or(0);
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(max).min(max));
    while let Some(chunk) = response.chunk().await.map_err(failed)? {
        if body.len() + chunk.len() > max {
            return Err(FetchError::TooLarge { max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Fetched { status, body })
}
