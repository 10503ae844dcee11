//! An operator-configured command applies the layout: for example
//! `nvidia-mig-parted apply -f {config_file} -c {config_name}` over a remote
//! shell the operator set up. The argv runs directly (no shell), with these
//! placeholders replaced inside each argument:
//!
//! | placeholder | value |
//! | --- | --- |
//! | `{node}` | node name |
//! | `{gpus}` | GPU indices, comma-separated ("0,1") |
//! | `{config_name}` | the layout's mig-parted config name |
//! | `{config_file}` | the config file, written to `config_dir` before the command runs |
//!
//! `apply` must exit 0 once the layout is in place. The optional `verify`
//! command (for example `nvidia-mig-parted assert …`) then confirms it: exit 0
//! is success, anything else a failure. Each run is killed at `timeout`.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;
use std::time::Duration;

use super::mig_parted::{config_for, config_name, to_yaml};
use super::{ApplyStatus, Executor};
use crate::actuators::mig::request::MigRequest;
use crate::subprocess::{self, Keep, RunFailure};

/// How the command executor runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandConfig {
    /// Program and arguments that apply the layout; not empty.
    pub apply: Vec<String>,
    /// Program and arguments that confirm it; empty to trust `apply`'s exit status.
    pub verify: Vec<String>,
    /// Directory the config files are written to.
    pub config_dir: PathBuf,
    /// Longest a command may run before it is killed.
    pub timeout: Duration,
}

/// Why a command could not apply or verify a layout.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("mig command: apply is empty; expected a program and its arguments")]
    NoProgram,
    #[error("mig command on {node}: writing {path}: {source}")]
    ConfigYaml {
        node: String,
        path: PathBuf,
        #[source]
        source: serde_norway::Error,
    },
    #[error("mig command on {node}: writing {path}: {source}")]
    ConfigFile {
        node: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("mig command on {node}: starting {program}: {source}")]
    Spawn {
        node: String,
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("mig command on {node}: {program} ran past {timeout:?} and was killed")]
    Timeout {
        node: String,
        program: String,
        timeout: Duration,
    },
    #[error("mig command on {node}: {program} exited with {status}: {stderr}")]
    Failed {
        node: String,
        program: String,
        status: ExitStatus,
        stderr: String,
    },
}

/// Applies layouts by running commands.
#[derive(Debug, Clone)]
pub struct CommandExecutor {
    config: CommandConfig,
}

/// Bytes at the end of standard error kept for a message.
const STDERR_TAIL: usize = 500;

impl CommandExecutor {
    /// An executor for `config`; `apply` must name a program.
    pub fn new(config: CommandConfig) -> Result<Self, CommandError> {
        if config.apply.is_empty() {
            return Err(CommandError::NoProgram);
        }
        Ok(CommandExecutor { config })
    }

    /// The config file `request` is written to.
    pub fn config_file(&self, request: &MigRequest) -> PathBuf {
        self.config
            .config_dir
            .join(format!("{}-{}.yaml", request.node, config_name(request)))
    }

    async fn write_config(&self, request: &MigRequest) -> Result<PathBuf, CommandError> {
        let path = self.config_file(request);
        let yaml = to_yaml(&config_for(request)).map_err(|source| CommandError::ConfigYaml {
            node: request.node.clone(),
            path: path.clone(),
            source,
        })?;
        let error = |source| CommandError::ConfigFile {
            node: request.node.clone(),
            path: path.clone(),
            source,
        };
        tokio::fs::create_dir_all(&self.config.config_dir)
            .await
            .map_err(error)?;
        tokio::fs::write(&path, yaml).await.map_err(error)?;
        Ok(path)
    }

    fn argv(&self, template: &[String], request: &MigRequest, file: &Path) -> Vec<String> {
        let gpus: Vec<String> = request.gpus.iter().map(u32::to_string).collect();
        let name = config_name(request);
        template
            .iter()
            .map(|arg| {
                arg.replace("{node}", &request.node)
                    .replace("{gpus}", &gpus.join(","))
                    .replace("{config_name}", &name)
                    .replace("{config_file}", &file.to_string_lossy())
            })
            .collect()
    }

    async fn run(&self, argv: Vec<String>, node: &str) -> Result<(), CommandError> {
        let program = argv.first().cloned().unwrap_or_default();
        let keep = Keep {
            stdout: 0,
            stderr: STDERR_TAIL,
        };
        let finished = subprocess::run(&argv, self.config.timeout, keep)
            .await
            .map_err(|failure| match failure {
                RunFailure::Timeout(timeout) => CommandError::Timeout {
                    node: node.to_owned(),
                    program: program.clone(),
                    timeout,
                },
                RunFailure::Spawn(source) | RunFailure::Wait(source) => CommandError::Spawn {
                    node: node.to_owned(),
                    program: program.clone(),
                    source,
                },
                RunFailure::Empty => CommandError::NoProgram,
            })?;
        if finished.status.success() {
            return Ok(());
        }
        Err(CommandError::Failed {
            node: node.to_owned(),
            program,
            status: finished.status,
            stderr: String::from_utf8_lossy(&finished.stderr).trim().to_owned(),
        })
    }
}

impl Executor for CommandExecutor {
    type Error = CommandError;

    async fn apply(&self, request: &MigRequest) -> Result<(), CommandError> {
        let file = self.write_config(request).await?;
        let argv = self.argv(&self.config.apply, request, &file);
        self.run(argv, &request.node).await
    }

    async fn status(&self, request: &MigRequest) -> Result<ApplyStatus, CommandError> {
        if self.config.verify.is_empty() {
            return Ok(ApplyStatus::Success);
        }
        let file = self.write_config(request).await?;
        let argv = self.argv(&self.config.verify, request, &file);
        match self.run(argv, &request.node).await {
            Ok(()) => Ok(ApplyStatus::Success),
            Err(failed @ CommandError::Failed { .. }) => {
                Ok(ApplyStatus::Failed(failed.to_string()))
            }
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> MigRequest {
        MigRequest {
            node: "ml-node-1".into(),
            gpus: vec![0, 2],
            model: "NVIDIA H100 80GB HBM3".into(),
            profiles: [("3g.40gb".to_owned(), 2)].into(),
        }
    }

    fn executor(dir: &Path, apply: &[&str], verify: &[&str], timeout: Duration) -> CommandExecutor {
        CommandExecutor::new(CommandConfig {
            apply: apply.iter().map(|s| s.to_string()).collect(),
            verify: verify.iter().map(|s| s.to_string()).collect(),
            config_dir: dir.to_path_buf(),
            timeout,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn apply_runs_the_argv_with_placeholders_and_no_shell() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.txt");
        // `$0` would expand under a shell; run directly it stays literal.
        let script = format!(
            "printf '%s|%s|%s|%s' \"$1\" \"$2\" \"$3\" '$0' > {}; cat \"$4\" >> {}",
            out.display(),
            out.display()
        );
        let exec = executor(
            dir.path(),
            &[
                "sh",
                "-c",
                &script,
                "x",
                "{node}",
                "{gpus}",
                "{config_name}",
                "{config_file}",
            ],
            &[],
            Duration::from_secs(30),
        );
        exec.apply(&request()).await.unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(
            text.starts_with("ml-node-1|0,2|fulcrum-g0.2-3g.40gbx2|$0version: v1\n"),
            "{text}"
        );
        assert!(text.contains("3g.40gb: 2"), "{text}");
        assert_eq!(exec.status(&request()).await.unwrap(), ApplyStatus::Success);
    }

    #[tokio::test]
    async fn a_failing_command_reports_its_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let exec = executor(
            dir.path(),
            &["sh", "-c", "echo 'In use by another client' >&2; exit 3"],
            &["sh", "-c", "echo 'does not match' >&2; exit 1"],
            Duration::from_secs(30),
        );
        let error = exec.apply(&request()).await.unwrap_err().to_string();
        assert!(error.contains("ml-node-1"), "{error}");
        assert!(error.contains("In use by another client"), "{error}");
        let ApplyStatus::Failed(why) = exec.status(&request()).await.unwrap() else {
            panic!("verify failed, status should be Failed");
        };
        assert!(why.contains("does not match"), "{why}");
    }

    #[tokio::test]
    async fn a_command_past_its_timeout_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let exec = executor(
            dir.path(),
            &["sleep", "30"],
            &[],
            Duration::from_millis(200),
        );
        let error = exec.apply(&request()).await.unwrap_err();
        assert!(matches!(error, CommandError::Timeout { .. }), "{error}");
    }

    #[test]
    fn an_empty_argv_is_refused() {
        let error = CommandExecutor::new(CommandConfig {
            apply: vec![],
            verify: vec![],
            config_dir: PathBuf::from("/tmp"),
            timeout: Duration::from_secs(1),
        })
        .unwrap_err();
        assert!(matches!(error, CommandError::NoProgram));
    }
}
