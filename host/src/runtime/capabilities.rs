//! What a policy may reach. Nothing by default: the sandbox links the Fulcrum
//! imports (`log`, `state`) and the parts of WASI a Rust, Python or
//! JavaScript policy imports just by existing, all backed by an empty
//! context. The network interfaces their toolchains always import
//! (`wasi:sockets`, `wasi:http`) are linked too, but deny every use; every
//! other import is refused when the policy loads. Grants widen the context,
//! one per method.

use std::fmt;
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

/// How the sandbox answers an import a policy may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAccess {
    /// Linked and served, within what the sandbox grants.
    Granted,
    /// Linked so the policy loads, but every use fails: the network.
    Denied,
}

impl fmt::Display for ImportAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ImportAccess::Granted => "granted",
            ImportAccess::Denied => "linked, denied",
        })
    }
}

/// Why an import is refused at load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the host provides only fulcrum:policy/{{log,state}}, an empty WASI sandbox and a network that denies every use"
)]
pub struct NotProvided;

/// How the sandbox answers `import` (`namespace:package/interface@version`),
/// or why it refuses it.
pub fn import_access(import: &str) -> Result<ImportAccess, NotProvided> {
    let (package, _version) = import.split_once('@').unwrap_or((import, ""));
    let namespace_package = package.split('/').next().unwrap_or(package);
    match (namespace_package, package) {
        ("fulcrum:policy", _) => Ok(ImportAccess::Granted),
        ("wasi:cli" | "wasi:io" | "wasi:clocks" | "wasi:random" | "wasi:filesystem", _) => {
            Ok(ImportAccess::Granted)
        }
        ("wasi:sockets", _) | (_, "wasi:http/types" | "wasi:http/outgoing-handler") => {
            Ok(ImportAccess::Denied)
        }
        _ => Err(NotProvided),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_imports_are_granted_and_the_network_is_linked_but_denied() {
        assert_eq!(
            import_access("fulcrum:policy/state@0.2.0"),
            Ok(ImportAccess::Granted)
        );
        assert_eq!(
            import_access("wasi:cli/environment@0.2.6"),
            Ok(ImportAccess::Granted)
        );
        assert_eq!(
            import_access("wasi:filesystem/preopens@0.2.0"),
            Ok(ImportAccess::Granted)
        );
        assert_eq!(
            import_access("wasi:sockets/tcp@0.2.6"),
            Ok(ImportAccess::Denied)
        );
        assert_eq!(
            import_access("wasi:http/outgoing-handler@0.2.6"),
            Ok(ImportAccess::Denied)
        );
        assert_eq!(
            import_access("wasi:http/types@0.2.3"),
            Ok(ImportAccess::Denied)
        );
    }

    #[test]
    fn what_the_host_does_not_link_is_refused() {
        assert_eq!(import_access("acme:secrets/vault"), Err(NotProvided));
        assert_eq!(import_access("wasi:keyvalue/store@0.2.0"), Err(NotProvided));
        // An incoming handler would make the policy a server.
        assert_eq!(
            import_access("wasi:http/incoming-handler@0.2.6"),
            Err(NotProvided)
        );
    }
}
