//! The load-balancing chain in front of a backend service, read for display:
//! forwarding rule (IP) → target HTTP proxy → URL map → backend service →
//! instance groups, with each managed group's size and health.

use crate::client::{BackendServiceRef, GceClient, GroupRef, Location};
use crate::error::GceError;
use crate::links::{resource_name, resource_path, same_resource};
use crate::source::{GroupState, read_group};
use crate::wire::UrlMap;

/// A backend service and everything that routes to it or serves it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    /// The backend service the chain is read from.
    pub backend_service: String,
    /// URL maps that send traffic to the service.
    pub url_maps: Vec<ChainUrlMap>,
    /// The groups the service balances across.
    pub backends: Vec<ChainBackend>,
}

/// A URL map sending traffic to the backend service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainUrlMap {
    /// The resource name.
    pub name: String,
    /// Target HTTP proxies that use the URL map.
    pub proxies: Vec<ChainProxy>,
}

/// A target HTTP proxy using the URL map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainProxy {
    /// The resource name.
    pub name: String,
    /// Forwarding rules that send traffic to the proxy.
    pub forwarding_rules: Vec<ChainForwardingRule>,
}

/// A global forwarding rule pointing at the proxy: where clients connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainForwardingRule {
    /// The resource name.
    pub name: String,
    /// The address clients connect to.
    pub ip_address: Option<String>,
    /// The ports served, as `80-80`.
    pub port_range: Option<String>,
}

/// One backend of the service.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainBackend {
    /// The instance group URL of the backend.
    pub group_url: String,
    /// The backend's capacity scaler.
    pub capacity_scaler: f64,
    /// The managed group behind the instance group; `None` for unmanaged groups.
    pub group: Option<GroupState>,
}

fn routes_to(map: &UrlMap, service_link: &str) -> bool {
    let default = map.default_service.iter();
    let matchers = map.path_matchers.iter().flat_map(|matcher| {
        matcher.default_service.iter().chain(
            matcher
                .path_rules
                .iter()
                .filter_map(|rule| rule.service.as_ref()),
        )
    });
    default
        .chain(matchers)
        .any(|link| same_resource(link, service_link))
}

/// The managed group behind an instance group URL (same name, same location).
fn group_ref_for(group_url: &str) -> Option<GroupRef> {
    let segments: Vec<&str> = resource_path(group_url).split('/').collect();
    match segments.as_slice() {
        [_, _, "zones", zone, "instanceGroups", name] => Some(GroupRef {
            location: Location::Zone((*zone).to_owned()),
            name: (*name).to_owned(),
        }),
        [_, _, "regions", region, "instanceGroups", name] => Some(GroupRef {
            location: Location::Region((*region).to_owned()),
            name: (*name).to_owned(),
        }),
        _ => None,
    }
}

/// Reads the chain of the global backend service `service`.
pub async fn read_chain(
    client: &GceClient,
    service: &BackendServiceRef,
) -> Result<Chain, GceError> {
    let backend_service = client.get_backend_service(service).await?;
    let service_link = backend_service
        .self_link
        .clone()
        .unwrap_or_else(|| client.self_link(&format!("global/backendServices/{}", service.name)));
    let url_maps = client.list_url_maps().await?;
    let proxies = client.list_target_http_proxies().await?;
    let rules = client.list_global_forwarding_rules().await?;

    let chain_maps = url_maps
        .iter()
        .filter(|map| routes_to(map, &service_link))
        .map(|map| {
            let map_link = map
                .self_link
                .clone()
                .unwrap_or_else(|| client.self_link(&format!("global/urlMaps/{}", map.name)));
            let map_proxies = proxies
                .iter()
                .filter(|proxy| {
                    proxy
                        .url_map
                        .as_deref()
                        .is_some_and(|l| same_resource(l, &map_link))
                })
                .map(|proxy| {
                    let proxy_link = proxy.self_link.clone().unwrap_or_else(|| {
                        client.self_link(&format!("global/targetHttpProxies/{}", proxy.name))
                    });
                    ChainProxy {
                        name: proxy.name.clone(),
                        forwarding_rules: rules
                            .iter()
                            .filter(|rule| {
                                rule.target
                                    .as_deref()
                                    .is_some_and(|l| same_resource(l, &proxy_link))
                            })
                            .map(|rule| ChainForwardingRule {
                                name: rule.name.clone(),
                                ip_address: rule.ip_address.clone(),
                                port_range: rule.port_range.clone(),
                            })
                            .collect(),
                    }
                })
                .collect();
            ChainUrlMap {
                name: map.name.clone(),
                proxies: map_proxies,
            }
        })
        .collect();

    let mut backends = Vec::new();
    for backend in &backend_service.backends {
        let group = match group_ref_for(&backend.group) {
            Some(group) => match read_group(client, &group, Some(service)).await {
                Ok(state) => Some(state),
                Err(error) if error.http_status() == Some(404) => None,
                Err(error) => return Err(error),
            },
            None => None,
        };
        backends.push(ChainBackend {
            group_url: backend.group.clone(),
            capacity_scaler: backend.capacity_scaler.unwrap_or(1.0),
            group,
        });
    }
    Ok(Chain {
        backend_service: resource_name(&service_link).to_owned(),
        url_maps: chain_maps,
        backends,
    })
}
