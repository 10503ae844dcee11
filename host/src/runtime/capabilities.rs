//! What a policy may reach. Nothing by default: the sandbox links the Fulcrum
//! imports (`log`, `state`) and the parts of WASI a Rust or JS policy imports
//! just by existing, all backed by an empty context; every other import is
//! refused when the policy loads. Grants widen the context, one per method.

use std::path::PathBuf;

/// Where a granted data directory appears inside the policy.
pub const DATA_DIR_GUEST_PATH: &str = "/data";

/// What the operator grants a policy beyond the empty sandbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Real wall and monotonic clocks instead of the snapshot's time.
    pub clocks: bool,
    /// Real entropy instead of a generator seeded per evaluation.
    pub random: bool,
    /// A host directory the policy may read (never write), seen at [`DATA_DIR_GUEST_PATH`].
    pub data_dir: Option<PathBuf>,
}

/// Why an import is refused.
pub(crate) fn refusal(import: &str) -> Option<&'static str> {
    let (package, _version) = import.split_once('@').unwrap_or((import, ""));
    let namespace_package = package.split('/').next().unwrap_or(package);
    match namespace_package {
        "fulcrum:policy" => None,
        "wasi:cli" | "wasi:io" | "wasi:clocks" | "wasi:random" | "wasi:filesystem" => None,
        "wasi:sockets" | "wasi:http" => Some("policies get no network access"),
        _ => Some("the host provides only fulcrum:policy/{log,state} and an empty WASI sandbox"),
    }
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn sandbox_imports_are_allowed_and_network_is_refused() {
        assert_eq!(refusal("fulcrum:policy/state@0.2.0"), None);
        assert_eq!(refusal("wasi:cli/environment@0.2.6"), None);
        assert_eq!(refusal("wasi:filesystem/preopens@0.2.0"), None);
        assert!(
            refusal("wasi:sockets/tcp@0.2.6")
                .unwrap()
                .contains("network")
        );
        assert!(refusal("wasi:http/outgoing-handler@0.2.6").is_some());
        assert!(refusal("acme:secrets/vault").is_some());
    }
}
