//! Resolving: how every table's file shape becomes typed configuration. Each
//! table implements [`Resolve`]; the [`Resolver`] it is handed knows the
//! file's directory and text and the key path of the table, so each problem
//! it records names `key (line N)`. Problems are collected, never stopping
//! at the first.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::problem::{Problem, Problems};

/// The 1-based line of byte `offset` in `text`: how every file the host
/// reads (configuration, test fixtures, simulation scenarios) names a line.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A table as written, turned into what the host runs with.
pub(super) trait Resolve {
    type Output;

    /// Check and convert; every problem goes into `problems` under `cx`'s
    /// key path. The output stands in for a valid one when there are problems.
    fn resolve(self, cx: &Resolver<'_>, problems: &mut Problems) -> Self::Output;
}

/// Where resolving is: the file's directory and text, and the table at hand.
#[derive(Debug, Clone)]
pub(super) struct Resolver<'a> {
    base: &'a Path,
    text: &'a str,
    /// The table's key path (`telemetry[1]`); empty at the top of the file.
    key: String,
    /// The line the table starts on, for problems about keys it lacks.
    line: Option<usize>,
}

impl<'a> Resolver<'a> {
    /// The top of the file `text`, whose relative paths are relative to `base`.
    pub(super) fn new(text: &'a str, base: &'a Path) -> Self {
        Resolver {
            base,
            text,
            key: String::new(),
            line: None,
        }
    }

    /// Resolve table `name` of this one, written at `table`'s span.
    pub(super) fn table<T: Resolve>(
        &self,
        name: &str,
        table: Spanned<T>,
        problems: &mut Problems,
    ) -> T::Output {
        let cx = self.nested(self.key(name), &table);
        table.into_inner().resolve(&cx, problems)
    }

    /// Resolve each table of the array `name` (`[[telemetry]]`), in order.
    pub(super) fn tables<T: Resolve>(
        &self,
        name: &str,
        tables: Vec<Spanned<T>>,
        problems: &mut Problems,
    ) -> Vec<T::Output> {
        let key = self.key(name);
        tables
            .into_iter()
            .enumerate()
            .map(|(index, table)| {
                let cx = self.nested(format!("{key}[{index}]"), &table);
                table.into_inner().resolve(&cx, problems)
            })
            .collect()
    }

    fn nested<T>(&self, key: String, at: &Spanned<T>) -> Resolver<'a> {
        Resolver {
            key,
            line: Some(self.line(at.span().start)),
            ..*self
        }
    }

    /// The full key path of `name` in this table.
    pub(super) fn key(&self, name: &str) -> String {
        match (self.key.as_str(), name) {
            ("", name) => name.to_owned(),
            (key, "") => key.to_owned(),
            (key, name) => format!("{key}.{name}"),
        }
    }

    /// `path` as written, relative to the file's directory.
    pub(super) fn path(&self, path: &Path) -> PathBuf {
        self.base.join(path)
    }

    /// The 1-based line of byte `offset`.
    pub(super) fn line(&self, offset: usize) -> usize {
        line_of(self.text, offset)
    }

    /// A problem with key `name`, whose value is `value`.
    pub(super) fn problem<T>(
        &self,
        name: &str,
        value: &Spanned<T>,
        message: impl fmt::Display,
    ) -> Problem {
        self.problem_at(name, value.span().start, message)
    }

    /// A problem with key `name`, whose value starts at byte `offset`.
    pub(super) fn problem_at(
        &self,
        name: &str,
        offset: usize,
        message: impl fmt::Display,
    ) -> Problem {
        Problem {
            key: self.key(name),
            line: Some(self.line(offset)),
            message: message.to_string(),
        }
    }

    /// A problem with key `name` placed at the table's first line: for a
    /// key not written, or the table as a whole when `name` is empty.
    pub(super) fn here(&self, name: &str, message: impl fmt::Display) -> Problem {
        Problem {
            key: self.key(name),
            line: self.line,
            message: message.to_string(),
        }
    }

    /// The value when in `range`, else `default` with a problem recorded.
    pub(super) fn in_range<T: PartialOrd + fmt::Display + Copy>(
        &self,
        name: &str,
        value: Option<Spanned<T>>,
        range: RangeInclusive<T>,
        default: T,
        problems: &mut Problems,
    ) -> T {
        match value {
            Some(v) if range.contains(v.get_ref()) => *v.get_ref(),
            Some(v) => {
                problems.push(self.problem(
                    name,
                    &v,
                    format_args!(
                        "{} is out of range; expected {}..={}",
                        v.get_ref(),
                        range.start(),
                        range.end()
                    ),
                ));
                default
            }
            None => default,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let cx = Resolver::new("a = 1\nb = 2\n", Path::new("."));
        assert_eq!(cx.line(0), 1);
        assert_eq!(cx.line(6), 2);
        assert_eq!(cx.line(1000), 3);
    }

    #[test]
    fn keys_nest() {
        let cx = Resolver::new("", Path::new("."));
        assert_eq!(cx.key("guard"), "guard");
        let nested = Resolver {
            key: "telemetry[1]".to_owned(),
            ..cx
        };
        assert_eq!(nested.key("timeout_ms"), "telemetry[1].timeout_ms");
        assert_eq!(nested.key(""), "telemetry[1]");
    }
}
