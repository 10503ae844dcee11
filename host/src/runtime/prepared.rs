//! Policies as loaded: compiled once, checked against the sandbox's grants and
//! the `fulcrum:policy` world, their metadata read and settings validated.
//! A [`PreparedPolicy`] is immutable; every evaluation instantiates it afresh.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::model::ActionKind;

use super::cache::sha256_hex;
use super::capabilities::Capabilities;
use super::contract::Contract;
use super::convert;
use super::engine::PolicyEngine;
use super::error::{GuestError, LoadError, MetadataError};
use super::eval::{Instance, Runner};
use super::limits::Limits;
use super::state_store::PolicyState;
use super::toolchain::{self, LimitsSet, Toolchain};
use super::world::WorldPre;
use super::{inspect, off_runtime, text};

/// How the operator wants a policy run.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    /// The `.wasm` component.
    pub path: PathBuf,
    /// The policy's settings, a JSON object.
    pub settings: serde_json::Value,
    pub limits: Limits,
    /// Which of `limits` the operator set; the others follow the policy's
    /// language (a Python or JavaScript policy gets more memory and time).
    pub limits_set: LimitsSet,
    pub capabilities: Capabilities,
}

impl PolicySpec {
    /// A spec with default settings, limits and no grants.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        PolicySpec {
            path: path.into(),
            settings: serde_json::Value::Object(Default::default()),
            limits: Limits::default(),
            limits_set: LimitsSet::default(),
            capabilities: Capabilities::default(),
        }
    }
}

/// What a policy says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub name: String,
    pub version: String,
    pub description: String,
    pub action_kinds: Vec<ActionKind>,
}

/// A loaded policy's identity: where it came from and what it is.
#[derive(Debug, Clone)]
pub struct PolicyInfo {
    pub path: PathBuf,
    /// Hex SHA-256 of the `.wasm` file.
    pub digest: String,
    pub metadata: Metadata,
    /// The contract version the policy is built against.
    pub contract: Contract,
    /// Every interface the component imports, as `namespace:package/interface@version`.
    pub imports: Vec<String>,
    /// The toolchain that built it, when its producers sections name one this host knows.
    pub toolchain: Option<Toolchain>,
}

/// A policy ready to evaluate.
#[derive(Clone)]
pub struct PreparedPolicy {
    pub(crate) info: Arc<PolicyInfo>,
    pub(crate) runner: Runner,
    pub(crate) settings: Arc<str>,
}

impl PreparedPolicy {
    pub fn info(&self) -> &PolicyInfo {
        &self.info
    }

    /// The name from the policy's metadata.
    pub fn name(&self) -> &str {
        &self.runner.name
    }

    pub fn limits(&self) -> Limits {
        self.runner.limits
    }
}

/// A policy read, compiled and checked, its metadata read and its limits
/// settled, but not yet configured: what `host check` shows before it calls
/// `configure`.
pub struct InspectedPolicy {
    policy: PreparedPolicy,
}

impl InspectedPolicy {
    pub fn info(&self) -> &PolicyInfo {
        self.policy.info()
    }

    /// The limits it will run under: the operator's, else its language's.
    pub fn limits(&self) -> Limits {
        self.policy.limits()
    }

    /// Call the policy's `configure` with the spec's settings.
    pub fn configure(self) -> Result<PreparedPolicy, LoadError> {
        off_runtime(|| configure(self.policy))
    }
}

impl PolicyEngine {
    /// Load, check and configure the policy `spec` describes.
    pub fn load(&self, spec: &PolicySpec) -> Result<PreparedPolicy, LoadError> {
        off_runtime(|| {
            self.inspect_spec_here(spec)
                .and_then(|inspected| configure(inspected.policy))
        })
    }

    /// Load and check the policy `spec` describes, without configuring it.
    pub fn inspect_spec(&self, spec: &PolicySpec) -> Result<InspectedPolicy, LoadError> {
        off_runtime(|| self.inspect_spec_here(spec))
    }

    fn inspect_spec_here(&self, spec: &PolicySpec) -> Result<InspectedPolicy, LoadError> {
        let (info, mut runner) = self.inspect_with(&spec.path, &spec.capabilities)?;
        runner.limits =
            toolchain::limits_for(spec.limits, spec.limits_set, info.toolchain.as_ref());
        runner.name = info.metadata.name.as_str().into();
        runner.seed = u64::from_str_radix(&info.digest[..16], 16).unwrap_or_default();
        Ok(InspectedPolicy {
            policy: PreparedPolicy {
                info: Arc::new(info),
                runner,
                settings: spec.settings.to_string().into(),
            },
        })
    }

    /// Read and check a policy without configuring it.
    pub fn inspect(&self, path: &Path) -> Result<PolicyInfo, LoadError> {
        off_runtime(|| {
            self.inspect_with(path, &Capabilities::default())
                .map(|(info, _)| info)
        })
    }

    /// Read, check and compile the policy at `path`, and read its metadata
    /// under the host's default limits (or its language's).
    fn inspect_with(
        &self,
        path: &Path,
        capabilities: &Capabilities,
    ) -> Result<(PolicyInfo, Runner), LoadError> {
        let wasm = inspect::read_policy_file(path)?;
        let inspection = inspect::check_before_compiling(path, &wasm)?;
        let digest = sha256_hex(&wasm);
        let component = self
            .component(&wasm, &digest)
            .map_err(|err| LoadError::NotAComponent {
                path: path.into(),
                reason: format!("{err:#}"),
            })?;
        let pre = self
            .linker()
            .instantiate_pre(&component)
            .and_then(|pre| WorldPre::new(inspection.contract, pre))
            .map_err(|err| LoadError::WrongWorld {
                path: path.into(),
                contract: inspection.contract,
                reason: format!("{err:#}"),
            })?;
        let runner = Runner {
            pre,
            name: path.display().to_string().into(),
            limits: toolchain::limits_for(
                Limits::default(),
                LimitsSet::default(),
                inspection.toolchain.as_ref(),
            ),
            capabilities: capabilities.clone(),
            seed: 0,
        };
        let metadata = read_metadata(path, &runner)?;
        Ok((
            PolicyInfo {
                path: path.into(),
                digest,
                metadata,
                contract: inspection.contract,
                imports: inspection.imports,
                toolchain: inspection.toolchain,
            },
            runner,
        ))
    }
}

/// Call `configure` in a fresh instance: the policy, if it takes its settings.
fn configure(policy: PreparedPolicy) -> Result<PreparedPolicy, LoadError> {
    let configured = Instance::start(&policy.runner, 0, 0, &PolicyState::default())
        .and_then(|mut instance| instance.configure(&policy.settings));
    match configured {
        Ok(Ok(())) => {
            if let Some(why) = policy.info.contract.deprecation() {
                tracing::warn!(
                    policy = policy.name(),
                    contract = %policy.info.contract,
                    "built against a deprecated contract: {why}"
                );
            }
            Ok(policy)
        }
        Ok(Err(GuestError { message })) => Err(LoadError::Settings {
            policy: policy.name().to_owned(),
            path: policy.info.path.clone(),
            message,
        }),
        Err(source) => Err(LoadError::Call {
            path: policy.info.path.clone(),
            function: "configure",
            source,
        }),
    }
}

fn read_metadata(path: &Path, runner: &Runner) -> Result<Metadata, LoadError> {
    let raw = Instance::start(runner, 0, 0, &PolicyState::default())
        .and_then(|mut instance| instance.metadata())
        .map_err(|source| LoadError::Call {
            path: path.into(),
            function: "metadata",
            source,
        })?;
    let metadata = Metadata {
        name: raw.name,
        version: raw.version,
        description: raw.description,
        action_kinds: raw
            .action_kinds
            .into_iter()
            .map(convert::action_kind)
            .collect(),
    };
    validate_metadata(&metadata).map_err(|source| LoadError::Metadata {
        path: path.into(),
        source,
    })?;
    Ok(metadata)
}

/// Longest metadata version, in bytes.
pub const MAX_VERSION_BYTES: usize = 64;
/// Longest metadata description, in bytes.
pub const MAX_DESCRIPTION_BYTES: usize = 512;

fn validate_metadata(m: &Metadata) -> Result<(), MetadataError> {
    let kebab = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.split('-').all(|w| {
                !w.is_empty()
                    && w.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    };
    if !kebab(&m.name) {
        return Err(MetadataError::Name {
            name: text::prefix(&m.name, 80).to_owned(),
        });
    }
    one_line("version", &m.version, MAX_VERSION_BYTES)?;
    if m.version.trim().is_empty() {
        return Err(MetadataError::NoVersion);
    }
    one_line("description", &m.description, MAX_DESCRIPTION_BYTES)?;
    if m.action_kinds.is_empty() {
        return Err(MetadataError::NoActionKind);
    }
    for (i, kind) in m.action_kinds.iter().enumerate() {
        if m.action_kinds[..i].contains(kind) {
            return Err(MetadataError::ActionKindTwice { kind: *kind });
        }
    }
    Ok(())
}

/// `value` must be at most `max` bytes of text without control characters.
fn one_line(field: &'static str, value: &str, max: usize) -> Result<(), MetadataError> {
    if value.len() > max {
        return Err(MetadataError::TooLong {
            field,
            bytes: value.len(),
            max,
        });
    }
    if value.chars().any(char::is_control) {
        return Err(MetadataError::NotOneLine {
            field,
            value: value.to_owned(),
        });
    }
    Ok(())
}
