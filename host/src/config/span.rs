//! Where a value sits in the file: turning a `toml` span into a line number,
//! and range checks on spanned values whose errors name the key and line.

use std::fmt;
use std::ops::RangeInclusive;

use toml::Spanned;

/// The configuration text, for finding the line of a span.
pub(super) struct Source<'a> {
    text: &'a str,
}

impl<'a> Source<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Source { text }
    }

    /// The 1-based line of byte `offset`.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            + 1
    }

    /// `key (line N): message`.
    pub(super) fn problem<T>(
        &self,
        key: &str,
        value: &Spanned<T>,
        message: impl fmt::Display,
    ) -> String {
        format!("{key} (line {}): {message}", self.line(value.span().start))
    }

    /// The value when in `range`, else `default` with a problem recorded.
    pub(super) fn in_range<T: PartialOrd + fmt::Display + Copy>(
        &self,
        key: &str,
        value: Option<Spanned<T>>,
        range: RangeInclusive<T>,
        default: T,
        problems: &mut Vec<String>,
    ) -> T {
        match value {
            Some(v) if range.contains(v.get_ref()) => *v.get_ref(),
            Some(v) => {
                problems.push(self.problem(
                    key,
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
        let source = Source::new("a = 1\nb = 2\n");
        assert_eq!(source.line(0), 1);
        assert_eq!(source.line(6), 2);
        assert_eq!(source.line(1000), 3);
    }
}
