//! [`with_causes`]: an error's message followed by its causes, for the
//! messages the host logs, audits and shows. An HTTP client's own message
//! names only the URL ("error sending request for url (…)"); why it failed —
//! a refused connection, a certificate from an unknown issuer, a timeout —
//! is in its sources.

use std::error::Error;

/// `error`'s message, then each cause whose message it does not already
/// contain (errors that print their source are not repeated), joined by `": "`.
pub fn with_causes(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(current) = cause {
        let message = current.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        cause = current.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("PATCH pool p: {source}")]
    struct Outer {
        source: Inner,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("no answer")]
    struct Inner {
        source: std::io::Error,
    }

    #[test]
    fn causes_follow_the_message_once_each() {
        let error = Outer {
            source: Inner {
                source: std::io::Error::other("connection refused"),
            },
        };
        assert_eq!(
            with_causes(&error),
            "PATCH pool p: no answer: connection refused"
        );
    }

    #[tokio::test]
    async fn an_http_clients_error_says_why_it_failed() {
        // Bound and dropped: nothing listens on the port any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        crate::tls::install_crypto_provider();
        let error = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        let text = with_causes(&error);
        assert!(text.starts_with("error sending request for url"), "{text}");
        assert!(text.contains("Connection refused"), "{text}");
    }
}
