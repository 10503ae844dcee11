//! The nodes telemetry is collected for, and how a target finds its node:
//! filling a template in from a node, and looking a node up by address or
//! host name.

use std::collections::HashMap;

use crate::sources::config::JoinBy;

/// A node telemetry is collected for: a pool member or a managed instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeIdentity {
    /// The node's name (an instance name, or the member's name).
    pub name: String,
    /// Its address, as pool members carry it (`10.0.0.5`).
    pub address: String,
    /// Its host name, when known (a managed instance's); the DCGM exporter
    /// writes it in its `Hostname` label.
    pub hostname: Option<String>,
}

impl NodeIdentity {
    /// `template` with `{address}`, `{hostname}` and `{name}` filled in; a
    /// node without a host name gives its name for `{hostname}`.
    pub fn fill(&self, template: &str) -> String {
        template
            .replace("{address}", &self.address)
            .replace("{hostname}", self.hostname.as_deref().unwrap_or(&self.name))
            .replace("{name}", &self.name)
    }
}

/// Nodes by address and by host name (the first node wins a tie).
pub(super) struct NodeIndex<'a> {
    by_address: HashMap<&'a str, usize>,
    by_hostname: HashMap<&'a str, usize>,
}

impl<'a> NodeIndex<'a> {
    pub(super) fn new(nodes: &'a [NodeIdentity]) -> Self {
        let mut by_address = HashMap::new();
        let mut by_hostname = HashMap::new();
        for (position, node) in nodes.iter().enumerate() {
            by_address.entry(node.address.as_str()).or_insert(position);
            by_hostname
                .entry(node.hostname.as_deref().unwrap_or(&node.name))
                .or_insert(position);
        }
        NodeIndex {
            by_address,
            by_hostname,
        }
    }

    /// The position of the node `key` names.
    pub(super) fn find(&self, join: JoinBy, key: &str) -> Option<usize> {
        match join {
            JoinBy::Address => self.by_address.get(key),
            JoinBy::Hostname => self.by_hostname.get(key),
        }
        .copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, address: &str, hostname: Option<&str>) -> NodeIdentity {
        NodeIdentity {
            name: name.into(),
            address: address.into(),
            hostname: hostname.map(str::to_owned),
        }
    }

    #[test]
    fn templates_take_address_hostname_and_name() {
        let n = node("gpu-a", "127.0.1.7", Some("gpu-a.internal"));
        assert_eq!(
            n.fill("http://{address}:9400/{hostname}/{name}"),
            "http://127.0.1.7:9400/gpu-a.internal/gpu-a"
        );
        assert_eq!(node("m", "127.0.1.8", None).fill("{hostname}"), "m");
    }

    #[test]
    fn nodes_are_found_by_address_or_hostname() {
        let nodes = [
            node("a", "127.0.1.1", Some("ha")),
            node("b", "127.0.1.2", None),
        ];
        let index = NodeIndex::new(&nodes);
        assert_eq!(index.find(JoinBy::Address, "127.0.1.2"), Some(1));
        assert_eq!(index.find(JoinBy::Hostname, "ha"), Some(0));
        assert_eq!(index.find(JoinBy::Hostname, "b"), Some(1));
        assert_eq!(index.find(JoinBy::Address, "ha"), None);
    }
}
