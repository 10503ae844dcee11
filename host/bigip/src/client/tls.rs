//! How the client checks the BIG-IP's certificate: system roots, an operator-supplied CA, or —
//! only when asked for by name — not at all.

use serde::Deserialize;

use super::Error;

/// Certificate verification for the management interface.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum TlsOptions {
    /// Verify against the operating system's trust store.
    #[default]
    SystemRoots,
    /// Verify against these CA certificates only (PEM, one or more).
    CustomCa {
        /// PEM text of the CA certificate(s).
        pem: String,
    },
    /// Accept any certificate. BIG-IPs ship self-signed certificates; use only on a trusted network.
    InsecureSkipVerify,
}

/// Makes ring the process's rustls provider unless one is installed already; reqwest is built
/// without a provider of its own so that no C toolchain is needed.
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing a provider is fine: any provider will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl TlsOptions {
    /// Applies these options to a reqwest builder.
    pub(crate) fn configure(
        &self,
        builder: reqwest::ClientBuilder,
    ) -> Result<reqwest::ClientBuilder, Error> {
        ensure_crypto_provider();
        Ok(match self {
            TlsOptions::SystemRoots => builder,
            TlsOptions::CustomCa { pem } => {
                let certs =
                    reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|source| {
                        Error::Config {
                            field: "tls.custom_ca.pem",
                            reason: format!("not a PEM certificate bundle: {source}"),
                        }
                    })?;
                if certs.is_empty() {
                    return Err(Error::Config {
                        field: "tls.custom_ca.pem",
                        reason: "no certificate in the PEM text".into(),
                    });
                }
                builder.tls_certs_only(certs)
            }
            TlsOptions::InsecureSkipVerify => {
                tracing::warn!(message = "BIG-IP certificate verification is switched off");
                builder.tls_danger_accept_invalid_certs(true)
            }
        })
    }
}
