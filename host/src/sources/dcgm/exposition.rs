//! The Prometheus text exposition format (0.0.4), read line by line into
//! [`Sample`]s, with the limits of [`super`] enforced as it goes so a hostile
//! scrape costs no more than the limits allow.
//!
//! Grammar accepted, per line (blanks are spaces and tabs):
//!
//! ```text
//! blank* ( "" | "#" any* | name blank* ("{" labels "}")? blank+ value (blank+ timestamp)? blank* )
//! labels = blank* (label blank* "," blank*)* (label blank* ","?)? blank*
//! label  = label_name blank* "=" blank* '"' escaped '"'      escapes: \\  \"  \n
//! ```
//!
//! Every comment, `# HELP` and `# TYPE` included, is skipped: units are picked
//! by metric name, never by the declared type, which changed across exporter
//! versions. Quoted (UTF-8) metric and label names are not accepted.

use std::borrow::Cow;

use super::{MAX_LABEL_VALUE_BYTES, MAX_LABELS_PER_SERIES, MAX_NAME_BYTES, MAX_SERIES};
use crate::sources::reading::clip;

/// One sample line.
#[derive(Debug)]
pub(in crate::sources) struct Sample<'a> {
    /// 1-based line number (for a Prometheus query result, the 1-based
    /// position of the series in the result).
    pub line: usize,
    /// Metric name.
    pub name: &'a str,
    /// Labels in the order written, values unescaped.
    pub labels: Vec<(&'a str, Cow<'a, str>)>,
    /// The value; `NaN` and infinities as written.
    pub value: f64,
}

/// Why the scrape as a whole cannot be read.
#[derive(Debug, PartialEq)]
pub(super) struct Problem {
    /// 1-based line number.
    pub line: usize,
    /// The metric the line is for, when its name could be read.
    pub metric: Option<String>,
    pub kind: ProblemKind,
}

#[derive(Debug, PartialEq)]
pub(super) enum ProblemKind {
    /// Not the text format.
    Syntax(String),
    /// More than `max` of `what`.
    Limit { what: &'static str, max: usize },
}

/// The samples of `text`, in order; stop at the first error.
pub(super) fn samples(text: &str) -> Samples<'_> {
    Samples {
        lines: text.lines().enumerate(),
        series: 0,
    }
}

/// Iterator returned by [`samples`].
pub(super) struct Samples<'a> {
    lines: std::iter::Enumerate<std::str::Lines<'a>>,
    series: usize,
}

#[cfg(test)]
impl<'a> Iterator for Samples<'a> {
    type Item = Result<Sample<'a>, Problem>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_into(Vec::new())
    }
}

impl<'a> Samples<'a> {
    /// The next sample, its labels read into `labels` (cleared first), so a
    /// caller that hands back the previous sample's vector allocates once.
    pub(super) fn next_into(
        &mut self,
        mut labels: Labels<'a>,
    ) -> Option<Result<Sample<'a>, Problem>> {
        labels.clear();
        for (index, raw) in self.lines.by_ref() {
            let line = index + 1;
            let text = &raw[skip_blanks(raw, 0)..];
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            self.series += 1;
            if self.series > MAX_SERIES {
                return Some(Err(Problem {
                    line,
                    metric: None,
                    kind: ProblemKind::Limit {
                        what: "series in one scrape",
                        max: MAX_SERIES,
                    },
                }));
            }
            return Some(
                parse_sample(text, labels)
                    .map_err(|(metric, kind)| Problem {
                        line,
                        metric: metric.map(str::to_owned),
                        kind,
                    })
                    .map(|(name, labels, value)| Sample {
                        line,
                        name,
                        labels,
                        value,
                    }),
            );
        }
        None
    }
}

pub(super) type Labels<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// A sample line (without leading blanks) as name, labels and value, or the
/// metric name (when read) and what is wrong.
fn parse_sample<'a>(
    line: &'a str,
    mut labels: Labels<'a>,
) -> Result<(&'a str, Labels<'a>, f64), (Option<&'a str>, ProblemKind)> {
    let name_end = name_end(line, 0, true);
    if name_end == 0 {
        return Err((
            None,
            syntax(format!("expected a metric name, found `{}`", clip(line))),
        ));
    }
    if name_end > MAX_NAME_BYTES {
        return Err((None, limit("bytes in a metric name", MAX_NAME_BYTES)));
    }
    let name = &line[..name_end];
    let in_metric = |kind| (Some(name), kind);

    let mut pos = name_end;
    let brace = skip_blanks(line, name_end);
    if line.as_bytes().get(brace) == Some(&b'{') {
        pos = parse_labels(line, brace + 1, &mut labels).map_err(in_metric)?;
    }

    let rest = &line[pos..];
    if !rest.starts_with([' ', '\t']) {
        let found = if rest.is_empty() {
            "the end of the line"
        } else {
            rest
        };
        return Err(in_metric(syntax(format!(
            "expected a blank and a value, found `{}`",
            clip(found)
        ))));
    }
    let mut fields = rest.split([' ', '\t']).filter(|field| !field.is_empty());
    let Some(raw_value) = fields.next() else {
        return Err(in_metric(syntax("missing value".to_owned())));
    };
    let Ok(value) = raw_value.parse::<f64>() else {
        return Err(in_metric(syntax(format!(
            "value `{}` is not a number",
            clip(raw_value)
        ))));
    };
    if let Some(timestamp) = fields.next()
        && timestamp.parse::<i64>().is_err()
    {
        return Err(in_metric(syntax(format!(
            "timestamp `{}` is not an integer",
            clip(timestamp)
        ))));
    }
    if let Some(extra) = fields.next() {
        return Err(in_metric(syntax(format!(
            "unexpected `{}` after the value and timestamp",
            clip(extra)
        ))));
    }
    Ok((name, labels, value))
}

/// Parse labels from just after `{` to just after `}`; returns the position
/// after `}`.
fn parse_labels<'a>(
    line: &'a str,
    mut pos: usize,
    labels: &mut Labels<'a>,
) -> Result<usize, ProblemKind> {
    let bytes = line.as_bytes();
    loop {
        pos = skip_blanks(line, pos);
        match bytes.get(pos) {
            None => return Err(syntax("unterminated label set".to_owned())),
            Some(b'}') => return Ok(pos + 1),
            Some(_) => {}
        }
        if labels.len() == MAX_LABELS_PER_SERIES {
            return Err(limit("labels on one series", MAX_LABELS_PER_SERIES));
        }

        let name_end = name_end(line, pos, false);
        if name_end == pos {
            return Err(syntax(format!(
                "expected a label name, found `{}`",
                clip(&line[pos..])
            )));
        }
        if name_end - pos > MAX_NAME_BYTES {
            return Err(limit("bytes in a label name", MAX_NAME_BYTES));
        }
        let name = &line[pos..name_end];
        pos = skip_blanks(line, name_end);
        if bytes.get(pos) != Some(&b'=') {
            return Err(syntax(format!("expected `=` after label `{name}`")));
        }
        pos = skip_blanks(line, pos + 1);
        if bytes.get(pos) != Some(&b'"') {
            return Err(syntax(format!(
                "expected `\"` to open the value of label `{name}`"
            )));
        }
        let (value, end) = label_value(line, pos + 1, name)?;
        if labels.iter().any(|(seen, _)| *seen == name) {
            return Err(syntax(format!("label `{name}` appears twice")));
        }
        labels.push((name, value));

        pos = skip_blanks(line, end);
        match bytes.get(pos) {
            Some(b',') => pos += 1,
            Some(b'}') => return Ok(pos + 1),
            _ => {
                return Err(syntax(format!("expected `,` or `}}` after label `{name}`")));
            }
        }
    }
}

/// The value of label `name`, from just after its opening quote; returns it
/// unescaped and the position after the closing quote.
fn label_value<'a>(
    line: &'a str,
    start: usize,
    name: &str,
) -> Result<(Cow<'a, str>, usize), ProblemKind> {
    let bytes = line.as_bytes();
    let mut pos = start;
    let mut escaped = false;
    let too_long = || limit("bytes in a label value", MAX_LABEL_VALUE_BYTES);
    loop {
        let found = bytes[pos..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\')
            .map(|offset| pos + offset);
        match found {
            Some(at) if at - start > MAX_LABEL_VALUE_BYTES => return Err(too_long()),
            None if bytes.len() - start > MAX_LABEL_VALUE_BYTES => return Err(too_long()),
            None => {
                return Err(syntax(format!(
                    "unterminated value of label `{name}` (truncated scrape?)"
                )));
            }
            Some(at) if bytes[at] == b'"' => {
                pos = at;
                break;
            }
            Some(at) => {
                match bytes.get(at + 1) {
                    Some(b'\\' | b'"' | b'n') => {}
                    _ => {
                        return Err(syntax(format!(
                            "invalid escape in the value of label `{name}`; expected \\\\, \\\" or \\n"
                        )));
                    }
                }
                escaped = true;
                pos = at + 2;
            }
        }
    }
    // `"` and `\` are ASCII, so `start..pos` lies on character boundaries.
    let raw = &line[start..pos];
    let value = if escaped {
        Cow::Owned(unescape(raw))
    } else {
        Cow::Borrowed(raw)
    };
    Ok((value, pos + 1))
}

/// Resolve `\\`, `\"` and `\n` (already validated).
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// End of a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or, without colons, a
/// label name starting at `start`; `start` when there is none.
fn name_end(line: &str, start: usize, colons: bool) -> usize {
    let bytes = line.as_bytes();
    let mut pos = start;
    while let Some(&b) = bytes.get(pos) {
        let ok = b.is_ascii_alphabetic()
            || b == b'_'
            || (colons && b == b':')
            || (pos > start && b.is_ascii_digit());
        if !ok {
            break;
        }
        pos += 1;
    }
    pos
}

fn skip_blanks(line: &str, mut pos: usize) -> usize {
    let bytes = line.as_bytes();
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

fn syntax(reason: String) -> ProblemKind {
    ProblemKind::Syntax(reason)
}

fn limit(what: &'static str, max: usize) -> ProblemKind {
    ProblemKind::Limit { what, max }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Result<Sample<'_>, Problem> {
        samples(line).next().expect("a sample line")
    }

    fn syntax_reason(line: &str) -> String {
        match one(line) {
            Err(Problem {
                kind: ProblemKind::Syntax(reason),
                ..
            }) => reason,
            other => panic!("expected a syntax error for {line:?}, got {other:?}"),
        }
    }

    #[test]
    fn reads_labels_with_blanks_trailing_comma_and_escapes() {
        let sample = one(r#"m { a = "1" , b="x\"y\\z\nw", } 2.5 1700000000000"#).unwrap();
        assert_eq!(sample.name, "m");
        assert_eq!(sample.value, 2.5);
        assert_eq!(sample.labels[0], ("a", Cow::Borrowed("1")));
        assert_eq!(sample.labels[1].1, "x\"y\\z\nw");
    }

    #[test]
    fn reads_special_values_and_unlabelled_series() {
        assert!(one("m NaN").unwrap().value.is_nan());
        assert_eq!(one("m +Inf").unwrap().value, f64::INFINITY);
        assert_eq!(one("m -Inf").unwrap().value, f64::NEG_INFINITY);
        assert_eq!(one("m{} -1e3").unwrap().value, -1000.0);
    }

    #[test]
    fn skips_comments_and_blank_lines() {
        let text = "# NOTE anything\n\n  # HELP m\n# TYPE m gauge\nm 1\n";
        let all: Vec<_> = samples(text).collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].line, 5);
    }

    #[test]
    fn rejects_malformed_lines_with_the_reason() {
        assert!(syntax_reason(r#"m{a="1"} "#).contains("missing value"));
        assert!(syntax_reason(r#"m{a="1"}"#).contains("expected a blank and a value"));
        assert!(syntax_reason(r#"m{a="1} 1"#).contains("unterminated value of label `a`"));
        assert!(syntax_reason(r#"m{a="1" 1"#).contains("expected `,` or `}`"));
        assert!(syntax_reason(r#"m{a="\q"} 1"#).contains("invalid escape"));
        assert!(syntax_reason(r#"m{a="1",a="2"} 1"#).contains("appears twice"));
        assert!(syntax_reason("m 1 2 3").contains("unexpected `3`"));
        assert!(syntax_reason("m 1 soon").contains("timestamp"));
        assert!(syntax_reason("m one").contains("not a number"));
        assert!(syntax_reason("<html>").contains("expected a metric name"));
        assert!(syntax_reason(r#"m{"quoted"="1"} 1"#).contains("expected a label name"));
    }

    #[test]
    fn problems_carry_line_and_metric() {
        let problem = samples("a 1\nb{x=\"1\" 1\n").nth(1).unwrap().unwrap_err();
        assert_eq!(problem.line, 2);
        assert_eq!(problem.metric.as_deref(), Some("b"));
    }
}
