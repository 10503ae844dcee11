//! Which toolchain built a policy, read from the `producers` custom sections
//! of its modules before it is compiled, and the limits a policy of that
//! language needs when the operator set none: Python and JavaScript policies
//! carry their interpreter, which needs more memory and time per evaluation
//! than a Rust policy (docs/policies-in-python-and-javascript.md).

use std::fmt;
use std::time::Duration;

use super::limits::Limits;

/// The language a policy was written in, as far as its toolchain tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Python,
    JavaScript,
    Rust,
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Language::Python => "Python",
            Language::JavaScript => "JavaScript",
            Language::Rust => "Rust",
        })
    }
}

/// The toolchain that built a policy: its language and what the component
/// tells of the tools, such as `componentize-py, CPython 3.14` or
/// `rustc 1.95.0`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolchain {
    pub language: Language,
    pub tools: String,
}

impl fmt::Display for Toolchain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.language, self.tools)
    }
}

/// Longest tool version or module name kept from a custom section, in bytes.
const MAX_NAME_BYTES: usize = 64;

/// What a component's custom sections tell of the tools that built it:
/// the `processed-by` entries of its `producers` sections, and the names
/// its modules give themselves in their `name` sections. An interpreter's
/// component holds modules from other compilers too (componentize-py's
/// runtime is Rust), so the interpreter's marks win.
#[derive(Debug, Default)]
pub(crate) struct Producers {
    /// `(tool, version)` of every `processed-by` entry.
    processed_by: Vec<(String, String)>,
    /// The modules' own names (`libpython3.14.so`).
    module_names: Vec<String>,
}

impl Producers {
    /// Note one `producers` section. A malformed one names no tool (wasmtime
    /// ignores custom sections, so it is no reason to refuse the policy).
    pub(crate) fn add_producers(&mut self, section: wasmparser::ProducersSectionReader<'_>) {
        let fields = section.into_iter().map_while(Result::ok);
        for field in fields.filter(|field| field.name == "processed-by") {
            for value in field.values.into_iter().map_while(Result::ok) {
                self.processed_by.push((
                    super::text::prefix(value.name, MAX_NAME_BYTES).to_owned(),
                    super::text::prefix(value.version, MAX_NAME_BYTES).to_owned(),
                ));
            }
        }
    }

    /// Note one `name` section's module name, if it has one.
    pub(crate) fn add_names(&mut self, section: wasmparser::NameSectionReader<'_>) {
        for name in section.into_iter().map_while(Result::ok) {
            if let wasmparser::Name::Module { name, .. } = name {
                self.module_names
                    .push(super::text::prefix(name, MAX_NAME_BYTES).to_owned());
            }
        }
    }

    /// The toolchain the sections name, if they name one this host knows.
    pub(crate) fn toolchain(&self) -> Option<Toolchain> {
        self.python()
            .or_else(|| self.javascript())
            .or_else(|| self.rust())
    }

    /// componentize-py links CPython as `libpython3.N.so` beside its runtime.
    fn python(&self) -> Option<Toolchain> {
        let cpython = self.module_names.iter().find_map(|name| {
            name.strip_prefix("libpython")?
                .strip_suffix(".so")
                .map(|version| format!("CPython {version}"))
        });
        let runtime = self
            .module_names
            .iter()
            .any(|name| name.starts_with("componentize_py_runtime"));
        let tools = match (runtime, cpython) {
            (false, None) => return None,
            (true, None) => "componentize-py".to_owned(),
            (false, Some(cpython)) => cpython,
            (true, Some(cpython)) => format!("componentize-py, {cpython}"),
        };
        Some(Toolchain {
            language: Language::Python,
            tools,
        })
    }

    fn javascript(&self) -> Option<Toolchain> {
        let tools: Vec<String> = self
            .processed_by
            .iter()
            .filter(|(tool, _)| JAVASCRIPT_TOOLS.contains(&tool.as_str()))
            .map(|(tool, version)| format!("{tool} {version}"))
            .collect();
        (!tools.is_empty()).then(|| Toolchain {
            language: Language::JavaScript,
            tools: tools.join(", "),
        })
    }

    fn rust(&self) -> Option<Toolchain> {
        self.processed_by
            .iter()
            .find(|(tool, _)| tool == "rustc")
            .map(|(tool, version)| Toolchain {
                language: Language::Rust,
                tools: format!("{tool} {version}"),
            })
    }
}

/// The `processed-by` names of the JavaScript toolchain: ComponentizeJS
/// and the StarlingMonkey engine it embeds.
const JAVASCRIPT_TOOLS: &[&str] = &["ComponentizeJS", "StarlingMonkey"];

/// Which of a policy's limits the operator set; the rest may follow the
/// policy's language.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LimitsSet {
    pub deadline: bool,
    pub memory: bool,
}

impl Language {
    /// The deadline and memory cap a policy in this language gets when the
    /// operator set none: room for an interpreter's heap, and for the time
    /// Python or JavaScript takes to walk a fleet of a few thousand nodes.
    /// `None`: the host's defaults fit.
    pub fn default_limits(self) -> Option<Limits> {
        let base = Limits::default();
        match self {
            Language::Rust => None,
            Language::Python => Some(Limits {
                deadline: Duration::from_millis(1_000),
                memory_bytes: 256 << 20,
                ..base
            }),
            Language::JavaScript => Some(Limits {
                deadline: Duration::from_millis(500),
                memory_bytes: 256 << 20,
                ..base
            }),
        }
    }
}

/// `limits` with what the operator did not set taken from the defaults of
/// the policy's language, if it has its own.
pub(crate) fn limits_for(limits: Limits, set: LimitsSet, toolchain: Option<&Toolchain>) -> Limits {
    let Some(defaults) = toolchain.and_then(|toolchain| toolchain.language.default_limits()) else {
        return limits;
    };
    Limits {
        deadline: if set.deadline {
            limits.deadline
        } else {
            defaults.deadline
        },
        memory_bytes: if set.memory {
            limits.memory_bytes
        } else {
            defaults.memory_bytes
        },
        ..limits
    }
}
