//! Google Compute Engine over Compute v1 REST: authentication, the client and
//! actuator Fulcrum applies scaling and capacity decisions with, the source it
//! observes groups through, the load-balancing chain for display, and a
//! loopback simulator.
//!
//! The simulator (`sim`) is behind the `sim` feature (on by default); with
//! `default-features = false` the crate is the client alone, without a server
//! or command-line parser.
//!
//! Typical use, against the simulator:
//!
//! ```no_run
//! # #[cfg(feature = "sim")]
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use fulcrum_gce::{AuthConfig, Authenticator, BackendServiceRef, ClientConfig, GceActuator,
//!                   GceClient, GroupRef, build_http_client, read_chain, read_group, sim};
//!
//! let server = sim::start(sim::SimOptions::default()).await?;
//! let http = build_http_client(Duration::from_secs(150))?;
//! let auth = Arc::new(Authenticator::new(&AuthConfig::Anonymous, http.clone())?);
//! let mut config = ClientConfig::new("demo-project");
//! config.api_root = server.api_root();
//! let client = GceClient::new(config, auth, http);
//!
//! let group = GroupRef::zonal("us-central1-a", sim::GROUP);
//! let service = BackendServiceRef::global(sim::BACKEND_SERVICE);
//! let actuator = GceActuator::new(client.clone());
//! actuator.set_target_size(&group, 5).await?;
//! let state = read_group(&client, &group, Some(&service)).await?;
//! let group_url = state.instance_group_url.clone().unwrap_or_default();
//! actuator.set_capacity_scaler(&service, &group_url, 0.5).await?;
//! let chain = read_chain(&client, &service).await?;
//! # let _ = chain; Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod actuator;
pub mod auth;
pub mod chain;
pub mod client;
pub mod error;
mod http;
pub mod links;
#[cfg(feature = "sim")]
pub mod sim;
pub mod source;
pub mod wire;

pub use actuator::{GceActuator, ScalerChange, SizeChange};
pub use auth::{AccessToken, AuthConfig, AuthError, Authenticator};
pub use chain::{Chain, ChainBackend, ChainForwardingRule, ChainProxy, ChainUrlMap, read_chain};
pub use client::{BackendServiceRef, ClientConfig, GceClient, GroupRef, Location, RetryPolicy};
pub use error::GceError;
pub use http::{HttpClientError, build_http_client};
pub use source::{
    GroupState, InstanceError, InstanceErrorKind, InstanceHealth, InstanceState, read_group,
};
