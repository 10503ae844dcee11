//! What is checked before a policy is compiled: the file is a regular file
//! of bounded size, a component (not a core module), with at most
//! [`MAX_FUNCTIONS`] functions in all its modules, none over
//! [`MAX_FUNCTION_BYTES`], importing only what the
//! sandbox links and only contract versions this host implements (which
//! also says which version the policy is built against). The same pass
//! reads the `producers` sections that name the toolchain which built it.
//! These checks read the binary's section headers, never function bodies,
//! so a file that will be refused costs milliseconds, not a compile.

use std::io::Read;
use std::path::Path;

use wasmparser::{ComponentTypeRef, Encoding, KnownCustom, Parser, Payload};

use super::capabilities;
use super::contract::{self, Contract, Imported};
use super::error::LoadError;
use super::toolchain::{Producers, Toolchain};

/// Largest policy file the host reads, in bytes. Python and JavaScript
/// policies, which carry their interpreter, are 12 to 18 MiB.
pub const MAX_COMPONENT_BYTES: u64 = 64 << 20;

/// Most functions a policy's modules may define in all. Compile time and
/// memory grow with the number of functions; an interpreter-carrying
/// Python policy has tens of thousands.
pub const MAX_FUNCTIONS: u64 = 250_000;

/// Largest single function body, in bytes. Compiling one function costs
/// more than linear time and memory in its size; an interpreter's main loop
/// is a few hundred KiB.
pub const MAX_FUNCTION_BYTES: usize = 4 << 20;

/// Read the policy file at `path`: a regular file of at most
/// [`MAX_COMPONENT_BYTES`]. A FIFO, a device or a directory is refused
/// without reading from it.
pub fn read_policy_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    let read_error = |source| LoadError::Read {
        path: path.into(),
        source,
    };
    let metadata = std::fs::metadata(path).map_err(read_error)?;
    if !metadata.is_file() {
        return Err(LoadError::NotAFile { path: path.into() });
    }
    if metadata.len() > MAX_COMPONENT_BYTES {
        return Err(LoadError::TooLarge {
            path: path.into(),
            bytes: metadata.len(),
        });
    }
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut wasm = Vec::with_capacity(metadata.len() as usize);
    // The file may grow between the two looks; never read past the cap.
    file.take(MAX_COMPONENT_BYTES + 1)
        .read_to_end(&mut wasm)
        .map_err(read_error)?;
    if wasm.len() as u64 > MAX_COMPONENT_BYTES {
        return Err(LoadError::TooLarge {
            path: path.into(),
            bytes: wasm.len() as u64,
        });
    }
    Ok(wasm)
}

/// What the checks before compiling learn of a component.
#[derive(Debug)]
pub(crate) struct Inspection {
    /// Its imports, as `namespace:package/interface@version`.
    pub(crate) imports: Vec<String>,
    /// The toolchain its producers sections name, if this host knows it.
    pub(crate) toolchain: Option<Toolchain>,
    /// The contract it is built against: the version of its `fulcrum:policy`
    /// imports, or the current one when it imports none (the world check at
    /// instantiation then decides).
    pub(crate) contract: Contract,
}

/// Check `wasm` before compiling it: its imports, their contract version,
/// and its toolchain.
pub(crate) fn check_before_compiling(path: &Path, wasm: &[u8]) -> Result<Inspection, LoadError> {
    check_is_component(path, wasm)?;
    let malformed = |err: wasmparser::BinaryReaderError| LoadError::NotAComponent {
        path: path.into(),
        reason: err.to_string(),
    };
    let mut imports = Vec::new();
    let mut producers = Producers::default();
    let mut functions: u64 = 0;
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(malformed)? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 1 => {
                for import in section {
                    let import = import.map_err(malformed)?;
                    // A type import (the world's `use types.{…}`) grants nothing.
                    if !matches!(import.ty, ComponentTypeRef::Type(_)) {
                        imports.push(import.name.name.to_owned());
                    }
                }
            }
            Payload::FunctionSection(section) => {
                functions += u64::from(section.count());
                if functions > MAX_FUNCTIONS {
                    return Err(LoadError::TooManyFunctions {
                        path: path.into(),
                        at_least: functions,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let bytes = body.range().len();
                if bytes > MAX_FUNCTION_BYTES {
                    return Err(LoadError::FunctionTooLarge {
                        path: path.into(),
                        bytes,
                    });
                }
            }
            Payload::CustomSection(section) => match section.as_known() {
                KnownCustom::Producers(section) => producers.add_producers(section),
                KnownCustom::Name(section) => producers.add_names(section),
                _ => {}
            },
            _ => {}
        }
    }
    for import in &imports {
        check_import(path, import)?;
    }
    let contract = contract_of(path, &imports)?;
    Ok(Inspection {
        imports,
        toolchain: producers.toolchain(),
        contract,
    })
}

fn check_import(path: &Path, import: &str) -> Result<(), LoadError> {
    match capabilities::import_access(import) {
        Err(why) => Err(LoadError::ImportNotGranted {
            path: path.into(),
            import: import.to_owned(),
            why,
        }),
        Ok(_) => Ok(()),
    }
}

fn contract_of(path: &Path, imports: &[String]) -> Result<Contract, LoadError> {
    match contract::imported(imports) {
        Imported::Supported(contract) => Ok(contract),
        Imported::Unknown => Ok(Contract::CURRENT),
        Imported::Unsupported { import, version } => Err(LoadError::ContractVersion {
            path: path.into(),
            import,
            built_against: if version.is_empty() {
                "none".into()
            } else {
                version
            },
        }),
        Imported::Mixed { first, second } => Err(LoadError::MixedContracts {
            path: path.into(),
            first,
            second,
        }),
    }
}

fn check_is_component(path: &Path, wasm: &[u8]) -> Result<(), LoadError> {
    let reason = match Parser::new(0).parse(wasm, true) {
        Ok(wasmparser::Chunk::Parsed {
            payload: Payload::Version { encoding, .. },
            ..
        }) => match encoding {
            Encoding::Component => return Ok(()),
            Encoding::Module => {
                "it is a core WebAssembly module; build it for wasm32-wasip2 (or wrap it with `wasm-tools component new`)"
            }
        },
        _ => "the file does not start with the WebAssembly magic number",
    };
    Err(LoadError::NotAComponent {
        path: path.into(),
        reason: reason.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imports(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn the_implemented_contract_versions_are_accepted_and_told_apart() {
        let path = Path::new("p.wasm");
        let current = imports(&["fulcrum:policy/log@0.3.0", "wasi:cli/stderr@0.2.6"]);
        assert_eq!(contract_of(path, &current).unwrap(), Contract::V0_3);
        let previous = imports(&["fulcrum:policy/types@0.2.0"]);
        assert_eq!(contract_of(path, &previous).unwrap(), Contract::V0_2);
    }

    #[test]
    fn another_contract_version_is_refused_with_the_versions_that_load() {
        let path = Path::new("p.wasm");
        let error = contract_of(path, &imports(&["fulcrum:policy/types@0.1.0"])).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("0.1.0") && message.contains("0.3.0") && message.contains("0.2.0"),
            "{message}"
        );
        let mixed = imports(&["fulcrum:policy/types@0.3.0", "fulcrum:policy/log@0.2.0"]);
        assert!(matches!(
            contract_of(path, &mixed),
            Err(LoadError::MixedContracts { .. })
        ));
    }

    #[test]
    fn a_core_module_and_garbage_are_not_components() {
        let path = Path::new("p.wasm");
        let core = [0, b'a', b's', b'm', 1, 0, 0, 0];
        assert!(
            check_before_compiling(path, &core)
                .unwrap_err()
                .to_string()
                .contains("core WebAssembly module")
        );
        assert!(
            check_before_compiling(path, b"\0asm broken")
                .unwrap_err()
                .to_string()
                .contains("not a WebAssembly component")
        );
    }

    #[test]
    fn what_is_not_a_regular_file_is_refused_unread() {
        let error = read_policy_file(Path::new("/dev/zero")).unwrap_err();
        assert!(error.to_string().contains("not a regular file"), "{error}");
        let dir = std::env::temp_dir();
        assert!(matches!(
            read_policy_file(&dir),
            Err(LoadError::NotAFile { .. })
        ));
    }
}
