//! The simulator's certificates: a throwaway CA and a server certificate it signs for
//! `127.0.0.1`, `::1` and `localhost`, so clients can verify the simulator like a real box.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use super::SimError;

/// A CA and the server configuration built on the certificate it issued.
pub(crate) struct SimCertificates {
    pub ca_pem: String,
    pub server_config: Arc<rustls::ServerConfig>,
}

pub(crate) fn generate() -> Result<SimCertificates, SimError> {
    let tls_error = |reason: String| SimError::Tls { reason };
    let ca_key = KeyPair::generate().map_err(|e| tls_error(format!("CA key: {e}")))?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())
        .map_err(|e| tls_error(format!("CA params: {e}")))?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Fulcrum BIG-IP simulator CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params
        .self_signed(&ca_key)
        .map_err(|e| tls_error(format!("CA certificate: {e}")))?;
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().map_err(|e| tls_error(format!("server key: {e}")))?;
    let names = vec![
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    let mut server_params =
        CertificateParams::new(names).map_err(|e| tls_error(format!("server params: {e}")))?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert = server_params
        .signed_by(&server_key, &issuer)
        .map_err(|e| tls_error(format!("server certificate: {e}")))?;

    let chain = vec![
        CertificateDer::from(server_cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server_config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error(format!("protocol versions: {e}")))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| tls_error(format!("server key pair: {e}")))?;
    Ok(SimCertificates {
        ca_pem: ca_cert.pem(),
        server_config: Arc::new(server_config),
    })
}
