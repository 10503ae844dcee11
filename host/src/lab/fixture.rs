//! A test fixture file: one case of a policy test. It holds the snapshot
//! (written out in the compact form, or a file `host snapshot --json` wrote),
//! the policy's settings and starting state, whether the guard takes part,
//! and what must hold. Every problem is reported with the file, the key and
//! the line.
//!
//! ```toml
//! name = "a throttled node gets less"      # default: the file's name
//! settings = { smoothing = 0.0 }           # handed to `configure`
//! state = { "counter" = "3" }              # starting state: key → text,
//! # or bytes in hex: { "member-memory" = { hex = "66677731…" } }
//! guard = true                             # hold decisions to the rails
//! [rails]                                  # `[guard]` of the host's config
//! member_ratio_step = { count = 100, percent = 100 }
//! [snapshot]                               # or: snapshot_file = "cycle.json",
//! # or recorded = { state_dir = "/var/lib/fulcrum", cycle = 1234 }
//! # … see `compact`
//! [expect]
//! # … see `expect`
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::compact::CompactSnapshot;
use super::expect::{Expect, ExpectToml};
use crate::config::{GuardTable, line_of};
use crate::guard::GuardRails;
use crate::model::{Snapshot, snapshot_from_json};
use crate::runtime::PolicyState;
use crate::store::{AuditReader, ReadAudit, STORE_FILE, StoreError};

/// A fixture file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureToml {
    name: Option<String>,
    #[serde(default)]
    settings: toml::Table,
    #[serde(default)]
    state: BTreeMap<String, StateValue>,
    #[serde(default)]
    guard: bool,
    rails: Option<GuardTable>,
    snapshot: Option<CompactSnapshot>,
    snapshot_file: Option<Spanned<PathBuf>>,
    recorded: Option<Spanned<RecordedToml>>,
    #[serde(default)]
    expect: ExpectToml,
}

/// `recorded = { state_dir = "DIR", cycle = N }`: the snapshot a past cycle
/// of a host decided from.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordedToml {
    state_dir: PathBuf,
    cycle: u64,
}

/// A starting state value: text, or bytes written in hex.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum StateValue {
    Text(String),
    Bytes { hex: String },
}

/// One test case, ready to run.
#[derive(Debug)]
pub struct Case {
    pub name: String,
    pub file: PathBuf,
    /// The policy's settings, a JSON object.
    pub settings: serde_json::Value,
    pub(super) state: PolicyState,
    /// The rails the decisions are held to, when the guard takes part.
    pub(super) rails: Option<GuardRails>,
    pub(super) snapshot: Snapshot,
    pub(super) expect: Expect,
}

/// Everything wrong with one fixture file.
#[derive(Debug, thiserror::Error)]
#[error("{}", render(file, problems))]
pub struct FixtureError {
    pub file: PathBuf,
    pub problems: Vec<String>,
}

fn render(file: &Path, problems: &[String]) -> String {
    let file = file.display();
    problems
        .iter()
        .map(|problem| format!("{file}: {problem}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Case {
    /// Read the fixture at `path`; relative paths in it are relative to its
    /// directory.
    pub fn load(path: &Path) -> Result<Case, FixtureError> {
        let fail = |problems| FixtureError {
            file: path.to_owned(),
            problems,
        };
        let text = std::fs::read_to_string(path)
            .map_err(|err| fail(vec![format!("cannot read: {err}")]))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let stem = path.file_stem().unwrap_or_default().to_string_lossy();
        Case::parse(&text, base, &stem)
            .map(|case| Case {
                file: path.to_owned(),
                ..case
            })
            .map_err(fail)
    }

    fn parse(text: &str, base: &Path, stem: &str) -> Result<Case, Vec<String>> {
        let file: FixtureToml = toml::from_str(text)
            .map_err(|err| vec![err.to_string().trim_end().replace('\n', "\n    ")])?;
        let line = |offset: usize| line_of(text, offset);
        let mut problems = Vec::new();
        let expect = file.expect.resolve(line, &mut problems);
        let sources = [
            file.snapshot.is_some(),
            file.snapshot_file.is_some(),
            file.recorded.is_some(),
        ];
        let snapshot = match (file.snapshot, file.snapshot_file, file.recorded) {
            _ if sources.iter().filter(|&&given| given).count() > 1 => {
                problems.push(
                    "give one of [snapshot], snapshot_file or recorded, not several".to_owned(),
                );
                Err(())
            }
            (Some(compact), _, _) => compact.build().map_err(|misplaced| {
                for m in misplaced {
                    let at = line(m.span.start);
                    problems.push(format!("{} (line {at}): {}", m.key, m.message));
                }
            }),
            (_, Some(path), _) => read_snapshot(&base.join(path.get_ref())).map_err(|err| {
                let at = line(path.span().start);
                let err = crate::error_chain::with_causes(&err);
                problems.push(format!("snapshot_file (line {at}): {err}"));
            }),
            (_, _, Some(recorded)) => {
                let at = line(recorded.span().start);
                let RecordedToml { state_dir, cycle } = recorded.into_inner();
                read_recorded(&base.join(state_dir), cycle).map_err(|err| {
                    let err = crate::error_chain::with_causes(&err);
                    problems.push(format!("recorded (line {at}): {err}"));
                })
            }
            (None, None, None) => {
                problems.push(
                    "give the case's [snapshot], a snapshot_file or a recorded cycle".to_owned(),
                );
                Err(())
            }
        };
        let rails = match (file.guard, file.rails) {
            (true, None) => Some(GuardRails::default()),
            (true, Some(table)) => table
                .resolve(text, "rails")
                .map_err(|found| problems.extend(found.iter().map(ToString::to_string)))
                .ok(),
            (false, None) => None,
            (false, Some(_)) => {
                problems.push("rails: set guard = true to use them".to_owned());
                None
            }
        };
        let settings = serde_json::to_value(&file.settings).map_err(|err| {
            problems.push(format!("settings: {err}"));
        });
        let mut state = BTreeMap::new();
        for (key, value) in file.state {
            let bytes = match value {
                StateValue::Text(text) => text.into_bytes(),
                StateValue::Bytes { hex } => match hex::decode(hex.trim()) {
                    Ok(bytes) => bytes,
                    Err(err) => {
                        problems.push(format!("state.{key}.hex: {err}"));
                        continue;
                    }
                },
            };
            state.insert(key, bytes);
        }
        match (snapshot, settings) {
            (Ok(snapshot), Ok(settings)) if problems.is_empty() => Ok(Case {
                name: file.name.unwrap_or_else(|| stem.to_owned()),
                file: PathBuf::new(),
                settings,
                state: PolicyState::from_entries(state),
                rails,
                snapshot,
                expect,
            }),
            _ => Err(problems),
        }
    }
}

/// Why a snapshot file could not be used.
#[derive(Debug, thiserror::Error)]
enum SnapshotFileError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a snapshot `host snapshot --json` wrote", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot read the recorded cycle")]
    Store(#[from] StoreError),
    #[error("{}: cycle {cycle} is not recorded", state_dir.display())]
    NotRecorded { state_dir: PathBuf, cycle: u64 },
}

/// The snapshot cycle `cycle` of the host whose state directory is
/// `state_dir` decided from.
fn read_recorded(state_dir: &Path, cycle: u64) -> Result<Snapshot, SnapshotFileError> {
    let store = AuditReader::open(&state_dir.join(STORE_FILE))?;
    match store.recording(cycle)? {
        Some(recording) => Ok(recording.snapshot),
        None => Err(SnapshotFileError::NotRecorded {
            state_dir: state_dir.to_owned(),
            cycle,
        }),
    }
}

/// A snapshot `host snapshot --json` wrote.
fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotFileError> {
    let text = std::fs::read_to_string(path).map_err(|source| SnapshotFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text)
        .and_then(snapshot_from_json)
        .map_err(|source| SnapshotFileError::Parse {
            path: path.to_owned(),
            source,
        })
}

/// The fixtures `paths` name: files as given, and every `*.toml` file in a
/// directory, in name order.
pub fn fixture_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)?
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            found.retain(|p| p.extension().is_some_and(|e| e == "toml"));
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}
