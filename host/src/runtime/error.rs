//! Why a policy failed to load or to evaluate. Every evaluation failure is one
//! of a fixed set of kinds, so operators and metrics can tell a slow policy
//! from a greedy, a buggy or a lying one.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::model::ActionKind;

/// A policy that could not be loaded; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read the policy: {source}", path = .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a regular file; a policy is a .wasm file", path = .path.display())]
    NotAFile { path: PathBuf },
    #[error(
        "{path}: the file is {bytes} bytes; a policy may be at most {max} MiB",
        path = .path.display(),
        max = super::MAX_COMPONENT_BYTES >> 20
    )]
    TooLarge { path: PathBuf, bytes: u64 },
    #[error(
        "{path}: defines at least {at_least} functions; a policy may define at most {max}",
        path = .path.display(),
        max = super::MAX_FUNCTIONS
    )]
    TooManyFunctions { path: PathBuf, at_least: u64 },
    #[error(
        "{path}: one function's body is {bytes} bytes; a policy's functions may be at most {max} MiB each",
        path = .path.display(),
        max = super::MAX_FUNCTION_BYTES >> 20
    )]
    FunctionTooLarge { path: PathBuf, bytes: usize },
    #[error("{path}: not a WebAssembly component: {reason}", path = .path.display())]
    NotAComponent { path: PathBuf, reason: String },
    #[error(
        "{path}: built against contract version {built_against} (imports `{import}`), but this host implements {host} (and still loads the deprecated {previous}); rebuild it against this host's wit/",
        path = .path.display(),
        host = super::Contract::CURRENT,
        previous = super::Contract::V0_2.version(),
    )]
    ContractVersion {
        path: PathBuf,
        import: String,
        built_against: String,
    },
    #[error(
        "{path}: imports `{first}` and `{second}`, two versions of the contract; build it against one",
        path = .path.display()
    )]
    MixedContracts {
        path: PathBuf,
        first: String,
        second: String,
    },
    #[error("{path}: imports `{import}`, which is not granted ({why})", path = .path.display())]
    ImportNotGranted {
        path: PathBuf,
        import: String,
        why: super::capabilities::NotProvided,
    },
    #[error("{path}: not a component of the {contract} world: {reason}", path = .path.display())]
    WrongWorld {
        path: PathBuf,
        contract: super::Contract,
        reason: String,
    },
    #[error("{path}: invalid metadata: {source}", path = .path.display())]
    Metadata {
        path: PathBuf,
        #[source]
        source: MetadataError,
    },
    #[error("{path}: `{function}` failed while loading: {source}", path = .path.display())]
    Call {
        path: PathBuf,
        function: &'static str,
        source: EvalError,
    },
    #[error("policy {policy} ({path}): settings rejected: {message}", path = .path.display())]
    Settings {
        policy: String,
        path: PathBuf,
        message: String,
    },
}

/// Why a policy's metadata is refused.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// `name` is already cut to a printable length.
    #[error("name {name:?} must be kebab-case, 1 to 64 characters")]
    Name { name: String },
    #[error("{field} is {bytes} bytes; at most {max}")]
    TooLong {
        field: &'static str,
        bytes: usize,
        max: usize,
    },
    #[error("{field} {value:?} holds control characters; it must be one line of text")]
    NotOneLine { field: &'static str, value: String },
    #[error("version is empty")]
    NoVersion,
    #[error("declares no action kind; a policy must propose at least one kind")]
    NoActionKind,
    #[error("declares action kind {kind} twice")]
    ActionKindTwice { kind: ActionKind },
}

/// What a policy's `configure` or `decide` answered instead of a result:
/// its own message, cut to the host's cap.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub(crate) struct GuestError {
    pub(crate) message: String,
}

/// Which way an evaluation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvalErrorKind {
    Timeout,
    OutOfMemory,
    Trap,
    InvalidOutput,
    PolicyError,
    Host,
}

impl EvalErrorKind {
    /// Name used in logs and metric labels.
    pub fn name(self) -> &'static str {
        match self {
            EvalErrorKind::Timeout => "timeout",
            EvalErrorKind::OutOfMemory => "out_of_memory",
            EvalErrorKind::Trap => "trap",
            EvalErrorKind::InvalidOutput => "invalid_output",
            EvalErrorKind::PolicyError => "policy_error",
            EvalErrorKind::Host => "host",
        }
    }
}

impl fmt::Display for EvalErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One failed evaluation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvalError {
    /// The evaluation ran past its deadline and was interrupted.
    #[error("timed out: still running after its {deadline:?} deadline")]
    Timeout { deadline: Duration },
    /// The policy tried to grow its memory past its cap.
    #[error("out of memory: tried to grow past its {} MiB cap", .cap_bytes >> 20)]
    OutOfMemory { cap_bytes: u64 },
    /// The policy trapped: a panic, stack overflow, unreachable, bad memory access.
    #[error("trapped: {message}{}", fmt_backtrace(.backtrace))]
    Trap { message: String, backtrace: String },
    /// The policy's output breaks the contract: a row out of range, more
    /// rows than its targets, an undeclared action kind, a value out of
    /// range, or a result that breaks the canonical ABI (a pointer out of
    /// bounds, a bad discriminant, text that is not UTF-8, more data than
    /// the snapshot allows).
    #[error("invalid output: {reason}")]
    InvalidOutput { reason: String },
    /// The policy reported an error of its own.
    #[error("policy error: {message}")]
    PolicyError { message: String },
    /// The host could not run the evaluation (for example no instance slot
    /// free); never a failure of the policy's own making.
    #[error("host error: {reason}")]
    Host { reason: String },
}

fn fmt_backtrace(backtrace: &str) -> String {
    if backtrace.is_empty() {
        String::new()
    } else {
        format!("\nwasm backtrace:\n{backtrace}")
    }
}

impl EvalError {
    pub fn kind(&self) -> EvalErrorKind {
        match self {
            EvalError::Timeout { .. } => EvalErrorKind::Timeout,
            EvalError::OutOfMemory { .. } => EvalErrorKind::OutOfMemory,
            EvalError::Trap { .. } => EvalErrorKind::Trap,
            EvalError::InvalidOutput { .. } => EvalErrorKind::InvalidOutput,
            EvalError::PolicyError { .. } => EvalErrorKind::PolicyError,
            EvalError::Host { .. } => EvalErrorKind::Host,
        }
    }
}
