//! The versions of the `fulcrum:policy` contract this host loads, and which
//! one a component was built against, read from the versions of the
//! `fulcrum:policy/…` interfaces it imports.

use std::fmt;

/// A version of `fulcrum:policy` the host implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Contract {
    /// `fulcrum:policy@0.2.0`: number columns as lists of numbers. Deprecated.
    V0_2,
    /// `fulcrum:policy@0.3.0`: number columns packed into bytes.
    V0_3,
}

impl Contract {
    /// The version policies are built against (`wit/types.wit`).
    pub const CURRENT: Contract = Contract::V0_3;

    /// Every version the host loads, newest first.
    pub const SUPPORTED: [Contract; 2] = [Contract::V0_3, Contract::V0_2];

    /// The version number, as in `fulcrum:policy@0.3.0`.
    pub fn version(self) -> &'static str {
        match self {
            Contract::V0_2 => "0.2.0",
            Contract::V0_3 => "0.3.0",
        }
    }

    /// Why a policy should move off this version, when it should.
    pub fn deprecation(self) -> Option<&'static str> {
        match self {
            Contract::V0_2 => Some(
                "its snapshot hands every number to the policy as a list element, which \
                 Python and JavaScript policies turn into one boxed number each, many times \
                 slower than 0.3.0's packed columns; rebuild against 0.3.0",
            ),
            Contract::V0_3 => None,
        }
    }

    /// The supported version numbered `version`.
    pub fn from_version(version: &str) -> Option<Contract> {
        Contract::SUPPORTED
            .into_iter()
            .find(|contract| contract.version() == version)
    }
}

impl fmt::Display for Contract {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fulcrum:policy@{}", self.version())
    }
}

/// What the `fulcrum:policy` imports of a component say about its contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Imported {
    /// Every `fulcrum:policy/…` import is of this supported version.
    Supported(Contract),
    /// It imports no `fulcrum:policy/…` interface, so nothing tells.
    Unknown,
    /// This import is of a version the host does not implement.
    Unsupported { import: String, version: String },
    /// These two imports are of different versions.
    Mixed { first: String, second: String },
}

/// The contract the `imports` (`namespace:package/interface@version`) were
/// built against.
pub(crate) fn imported(imports: &[String]) -> Imported {
    let mut found: Option<(&str, Contract)> = None;
    for import in imports {
        let Some(interface) = import.strip_prefix("fulcrum:policy/") else {
            continue;
        };
        let version = interface.split_once('@').map_or("", |(_, version)| version);
        let Some(contract) = Contract::from_version(version) else {
            return Imported::Unsupported {
                import: import.clone(),
                version: version.to_owned(),
            };
        };
        match found {
            Some((first, earlier)) if earlier != contract => {
                return Imported::Mixed {
                    first: first.to_owned(),
                    second: import.clone(),
                };
            }
            _ => found = Some((import, contract)),
        }
    }
    found.map_or(Imported::Unknown, |(_, contract)| {
        Imported::Supported(contract)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn the_imported_version_names_the_contract() {
        let current = imports(&[
            "wasi:cli/stderr@0.2.6",
            "fulcrum:policy/types@0.3.0",
            "fulcrum:policy/log@0.3.0",
        ]);
        assert_eq!(imported(&current), Imported::Supported(Contract::V0_3));
        let previous = imports(&["fulcrum:policy/types@0.2.0", "fulcrum:policy/state@0.2.0"]);
        assert_eq!(imported(&previous), Imported::Supported(Contract::V0_2));
        assert_eq!(
            imported(&imports(&["wasi:cli/stderr@0.2.6"])),
            Imported::Unknown
        );
    }

    #[test]
    fn an_unknown_or_mixed_version_is_named() {
        assert_eq!(
            imported(&imports(&["fulcrum:policy/types@0.1.0"])),
            Imported::Unsupported {
                import: "fulcrum:policy/types@0.1.0".into(),
                version: "0.1.0".into()
            }
        );
        assert_eq!(
            imported(&imports(&["fulcrum:policy/types"])),
            Imported::Unsupported {
                import: "fulcrum:policy/types".into(),
                version: String::new()
            }
        );
        assert_eq!(
            imported(&imports(&[
                "fulcrum:policy/types@0.3.0",
                "fulcrum:policy/log@0.2.0"
            ])),
            Imported::Mixed {
                first: "fulcrum:policy/types@0.3.0".into(),
                second: "fulcrum:policy/log@0.2.0".into()
            }
        );
    }

    #[test]
    fn only_the_older_version_is_deprecated() {
        assert_eq!(Contract::CURRENT.deprecation(), None);
        assert!(Contract::V0_2.deprecation().is_some());
        assert_eq!(Contract::CURRENT.to_string(), "fulcrum:policy@0.3.0");
    }
}
