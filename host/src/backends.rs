//! [`Backends`]: the load balancers and clouds Fulcrum manages, connected
//! from the configuration: an authenticated BIG-IP client and a Compute
//! client. Sources read through them; actuators write through them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::config::{BigIpAuth, BigIpConfig, GceConfig, GroupConfig};

/// A BIG-IP and the pools Fulcrum manages on it.
#[derive(Clone, Debug)]
pub struct BigIp {
    pub client: fulcrum_bigip::Client,
    pub pools: Vec<fulcrum_bigip::FullPath>,
    /// Member commands queued into a pool's transaction at once.
    pub transaction_concurrency: usize,
}

/// A GCE project and the groups Fulcrum manages in it.
#[derive(Clone)]
pub struct Gce {
    pub client: fulcrum_gce::GceClient,
    pub groups: Vec<GroupConfig>,
}

/// Every configured backend.
#[derive(Clone, Default)]
pub struct Backends {
    pub bigip: Option<BigIp>,
    pub gce: Option<Gce>,
}

impl Backends {
    /// Build the clients; a BIG-IP topology in the configuration is ensured
    /// (created where missing, differences reported, never overwritten).
    pub async fn connect(
        bigip: Option<&BigIpConfig>,
        gce: Option<&GceConfig>,
    ) -> anyhow::Result<Backends> {
        let bigip = match bigip {
            Some(config) => Some(connect_bigip(config).await?),
            None => None,
        };
        let gce = gce.map(connect_gce).transpose()?;
        Ok(Backends { bigip, gce })
    }
}

async fn connect_bigip(config: &BigIpConfig) -> anyhow::Result<BigIp> {
    let mut client_config = fulcrum_bigip::ClientConfig::new(
        &config.url,
        fulcrum_bigip::Credentials::new(&config.username, config.password.expose()),
    );
    client_config.tls = config.tls.clone();
    if config.auth == BigIpAuth::Basic {
        client_config.auth = fulcrum_bigip::AuthMode::Basic;
    }
    let client = fulcrum_bigip::Client::new(client_config)
        .with_context(|| format!("bigip {}", config.url))?;
    if let Some(topology) = &config.topology {
        let report = topology
            .ensure(&client)
            .await
            .with_context(|| format!("bigip {}: ensuring the topology", config.url))?;
        tracing::info!(bigip = %config.url, ?report, "topology ensured");
    }
    let pools = config
        .pools
        .iter()
        .map(|pool| fulcrum_bigip::FullPath::parse(pool))
        .collect();
    Ok(BigIp {
        client,
        pools,
        transaction_concurrency: config.transaction_concurrency,
    })
}

fn connect_gce(config: &GceConfig) -> anyhow::Result<Gce> {
    let http = fulcrum_gce::build_http_client(Duration::from_secs(60))
        .context("gce: building the HTTP client")?;
    let auth = Arc::new(
        fulcrum_gce::Authenticator::new(&config.auth, http.clone())
            .with_context(|| format!("gce project {}: credentials", config.project))?,
    );
    let mut client_config = fulcrum_gce::ClientConfig::new(&config.project);
    if let Some(root) = &config.api_root {
        client_config.api_root = root.clone();
    }
    Ok(Gce {
        client: fulcrum_gce::GceClient::new(client_config, auth, http),
        groups: config.groups.clone(),
    })
}
