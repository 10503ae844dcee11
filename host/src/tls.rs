//! The process's rustls crypto provider. The HTTP clients are built without
//! one of their own (so that TLS needs no C toolchain), which makes
//! installing `ring` as the process default the one step every client
//! depends on; [`install_crypto_provider`] does it once, whoever asks first.

/// Install `ring` as the process's rustls provider, unless one is installed.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread's install is fine: one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
