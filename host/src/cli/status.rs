//! `host status`: for each configured backend service, the chain in front of
//! it up to the forwarding rule's address, and each group behind it with its
//! size and health; for the BIG-IP, each managed pool's members; with
//! `[ha]`, the replica that leads and those standing by.

use std::path::PathBuf;

use clap::Args;

use super::session::Session;
use super::{Failure, GlobalArgs};
use crate::ha::Membership;
use crate::observe::SafeText;

#[derive(Debug, Args)]
pub(super) struct StatusArgs {
    /// Configuration file (backends); with none, the embedded demo's simulators.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

pub(super) fn status(global: &GlobalArgs, args: StatusArgs) -> Result<(), Failure> {
    super::block_on(async {
        let session =
            Session::start(global, args.config.as_deref(), Vec::new(), false, true).await?;
        let mut out = SafeText::new();
        if let Some(ha) = &session.config.ha {
            let membership = Membership::read(ha).await.map_err(Failure::usage)?;
            for line in membership.lines() {
                out.line(format_args!("{line}"));
            }
        }
        if let Some(bigip) = &session.backends.bigip {
            let pools = fulcrum_bigip::source::observe(&bigip.client, &bigip.pools)
                .await
                .map_err(Failure::usage)?;
            for pool in &pools {
                out.line(format_args!("pool {}", pool.pool.as_str()));
                for m in &pool.members {
                    out.line(format_args!(
                        "  member {} ({}) ratio {}, {:?}, {:?}, {} connections",
                        m.member.name(),
                        m.address,
                        m.ratio,
                        m.admin_state,
                        m.availability,
                        m.current_connections
                    ));
                }
            }
        }
        if let Some(gce) = &session.backends.gce {
            for group in &gce.groups {
                let Some(service) = &group.backend_service else {
                    continue;
                };
                let chain = fulcrum_gce::read_chain(
                    &gce.client,
                    &fulcrum_gce::BackendServiceRef::global(service),
                )
                .await
                .map_err(Failure::usage)?;
                render_chain(&mut out, &chain);
            }
        }
        print!("{}", out.into_string());
        Ok(())
    })
}

fn render_chain(out: &mut SafeText, chain: &fulcrum_gce::Chain) {
    out.line(format_args!("backend service {}", chain.backend_service));
    for map in &chain.url_maps {
        for proxy in &map.proxies {
            for rule in &proxy.forwarding_rules {
                out.line(format_args!(
                    "  {}:{} ← forwarding rule {} ← proxy {} ← url map {}",
                    rule.ip_address.as_deref().unwrap_or("?"),
                    rule.port_range.as_deref().unwrap_or("?"),
                    rule.name,
                    proxy.name,
                    map.name
                ));
            }
        }
    }
    for backend in &chain.backends {
        let name = backend.group_url.rsplit('/').next().unwrap_or_default();
        match &backend.group {
            Some(group) => {
                let healthy = group
                    .health
                    .as_ref()
                    .map_or(0, |h| h.iter().filter(|h| h.healthy).count());
                out.line(format_args!("  group {name}: capacity scaler {}, target size {}, {} running, {} creating, {} deleting, {healthy} healthy",
                    backend.capacity_scaler,
                    group.target_size,
                    group.running,
                    group.creating,
                    group.deleting));
                for instance in group.failing_instances() {
                    if let Some(error) = &instance.last_error {
                        out.line(format_args!(
                            "    {}: {}: {}",
                            instance.name, error.code, error.message
                        ));
                    }
                }
            }
            None => {
                out.line(format_args!(
                    "  group {name}: capacity scaler {} (unmanaged)",
                    backend.capacity_scaler
                ));
            }
        }
    }
}
