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

use memchr::{memchr, memchr2};

use super::label_sets::LabelSets;

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
        text,
        pos: 0,
        line: 0,
        series: 0,
        sets: LabelSets::default(),
    }
}

/// Iterator returned by [`samples`].
pub(super) struct Samples<'a> {
    text: &'a str,
    /// Where the next line starts.
    pos: usize,
    /// Lines read so far.
    line: usize,
    /// Sample lines read so far.
    series: usize,
    sets: LabelSets<'a>,
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
    ///
    /// Lines end at `\n` or `\r\n`, as [`str::lines`] splits them.
    pub(super) fn next_into(
        &mut self,
        mut labels: Labels<'a>,
    ) -> Option<Result<Sample<'a>, Problem>> {
        labels.clear();
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            self.line += 1;
            let start = skip_blanks(bytes, self.pos);
            match bytes.get(start) {
                None => self.pos = start,
                Some(b'\n') => self.pos = start + 1,
                Some(b'\r') if bytes.get(start + 1) == Some(&b'\n') => self.pos = start + 2,
                Some(b'#') => self.pos = line_end(bytes, start).1,
                Some(_) => return Some(self.sample(start, labels)),
            }
        }
        None
    }

    /// The sample on the line that starts (after blanks) at `start`; moves
    /// to the next line.
    fn sample(&mut self, start: usize, mut labels: Labels<'a>) -> Result<Sample<'a>, Problem> {
        let line = self.line;
        self.series += 1;
        let name_end = name_end(self.text.as_bytes(), start, METRIC_NAME);
        let labels_end = self.repeated_labels(start, name_end, &mut labels);
        let (end, next) = line_end(self.text.as_bytes(), labels_end.unwrap_or(start));
        self.pos = next;
        if self.series > MAX_SERIES {
            return Err(Problem {
                line,
                metric: None,
                kind: ProblemKind::Limit {
                    what: "series in one scrape",
                    max: MAX_SERIES,
                },
            });
        }
        let text = &self.text[start..end];
        let labels_end = labels_end.map(|at| at - start);
        parse_sample(text, labels, name_end - start, labels_end, &mut self.sets)
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
            })
    }

    /// When the sample at `start` has a name (ending at `name_end`) and then
    /// a label set already read, that set's labels, added to `labels`, and
    /// the position after its `}`. Such a line is known to reach that far, so
    /// the search for its end starts there.
    fn repeated_labels(
        &mut self,
        start: usize,
        name_end: usize,
        labels: &mut Labels<'a>,
    ) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let brace = skip_blanks(bytes, name_end);
        if name_end == start || bytes.get(brace) != Some(&b'{') {
            return None;
        }
        let (len, repeated) = self.sets.repeated(&self.text[brace..])?;
        labels.extend_from_slice(repeated);
        Some(brace + len)
    }
}

/// The end of the line that goes on at `pos` (before its `\n` or `\r\n`)
/// and where the next line starts.
fn line_end(bytes: &[u8], pos: usize) -> (usize, usize) {
    match memchr(b'\n', &bytes[pos..]) {
        Some(offset) => {
            let end = pos + offset;
            let content_end = if bytes[..end].ends_with(b"\r") {
                end - 1
            } else {
                end
            };
            (content_end, end + 1)
        }
        None => (bytes.len(), bytes.len()),
    }
}

pub(super) type Labels<'a> = Vec<(&'a str, Cow<'a, str>)>;

/// A sample line (without leading blanks) as name, labels and value, or the
/// metric name (when read) and what is wrong. `name_end`: where the metric
/// name ends (0 when there is none); `labels_end`: where the label set ends
/// when its labels are already in `labels`.
fn parse_sample<'a>(
    line: &'a str,
    mut labels: Labels<'a>,
    name_end: usize,
    labels_end: Option<usize>,
    sets: &mut LabelSets<'a>,
) -> Result<(&'a str, Labels<'a>, f64), (Option<&'a str>, ProblemKind)> {
    let bytes = line.as_bytes();
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
    let brace = skip_blanks(bytes, name_end);
    if let Some(end) = labels_end {
        pos = end;
    } else if bytes.get(brace) == Some(&b'{') {
        pos = parse_labels(line, brace + 1, &mut labels).map_err(in_metric)?;
        sets.keep(&line[brace..pos], &labels);
    }

    if !matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        let rest = &line[pos..];
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
    let (value_start, value_end) = field(bytes, pos);
    if value_start == value_end {
        return Err(in_metric(syntax("missing value".to_owned())));
    }
    let raw_value = &line[value_start..value_end];
    let Some(value) = number(raw_value) else {
        return Err(in_metric(syntax(format!(
            "value `{}` is not a number",
            clip(raw_value)
        ))));
    };
    let (stamp_start, stamp_end) = field(bytes, value_end);
    let timestamp = &line[stamp_start..stamp_end];
    if !timestamp.is_empty() && timestamp.parse::<i64>().is_err() {
        return Err(in_metric(syntax(format!(
            "timestamp `{}` is not an integer",
            clip(timestamp)
        ))));
    }
    let (extra_start, extra_end) = field(bytes, stamp_end);
    if extra_start != extra_end {
        return Err(in_metric(syntax(format!(
            "unexpected `{}` after the value and timestamp",
            clip(&line[extra_start..extra_end])
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
    // One bit per (length + first byte) of the names read: a name whose bit
    // is clear cannot be a repeat, so most labels skip the comparison.
    let mut names_seen = 0u64;
    loop {
        pos = skip_blanks(bytes, pos);
        match bytes.get(pos) {
            None => return Err(syntax("unterminated label set".to_owned())),
            Some(b'}') => return Ok(pos + 1),
            Some(_) => {}
        }
        if labels.len() == MAX_LABELS_PER_SERIES {
            return Err(limit("labels on one series", MAX_LABELS_PER_SERIES));
        }

        let name_end = name_end(bytes, pos, LABEL_NAME);
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
        let bit = 1u64 << ((name.len() + usize::from(bytes[pos])) % 64);
        pos = skip_blanks(bytes, name_end);
        if bytes.get(pos) != Some(&b'=') {
            return Err(syntax(format!("expected `=` after label `{name}`")));
        }
        pos = skip_blanks(bytes, pos + 1);
        if bytes.get(pos) != Some(&b'"') {
            return Err(syntax(format!(
                "expected `\"` to open the value of label `{name}`"
            )));
        }
        let (value, end) = label_value(line, pos + 1, name)?;
        if names_seen & bit != 0 && labels.iter().any(|(seen, _)| *seen == name) {
            return Err(syntax(format!("label `{name}` appears twice")));
        }
        names_seen |= bit;
        labels.push((name, value));

        pos = skip_blanks(bytes, end);
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
        match memchr2(b'"', b'\\', &bytes[pos..]).map(|offset| pos + offset) {
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

/// [`NAME_BYTES`] classes: a byte that may start a name, one that may
/// continue it, and `:`, which only metric names may hold.
const NAME_START: u8 = 1;
const NAME_REST: u8 = 2;
const COLON: u8 = 4;
/// The classes a metric name and a label name may start and go on with.
const METRIC_NAME: (u8, u8) = (NAME_START | COLON, NAME_REST | COLON);
const LABEL_NAME: (u8, u8) = (NAME_START, NAME_REST);

/// The name classes of every byte.
static NAME_BYTES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if b.is_ascii_alphabetic() || b == b'_' {
            NAME_START | NAME_REST
        } else if b.is_ascii_digit() {
            NAME_REST
        } else if b == b':' {
            COLON
        } else {
            0
        };
        byte += 1;
    }
    classes
};

/// End of a metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`) or label name
/// (`[a-zA-Z_][a-zA-Z0-9_]*`), as `(first, rest)` classes say, starting at
/// `start`; `start` when there is none.
fn name_end(bytes: &[u8], start: usize, (first, rest): (u8, u8)) -> usize {
    match bytes.get(start) {
        Some(&b) if NAME_BYTES[usize::from(b)] & first != 0 => {}
        _ => return start,
    }
    let mut pos = start + 1;
    while let Some(&b) = bytes.get(pos)
        && NAME_BYTES[usize::from(b)] & rest != 0
    {
        pos += 1;
    }
    pos
}

fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    while matches!(bytes.get(pos), Some(b' ' | b'\t')) {
        pos += 1;
    }
    pos
}

/// The next blank-separated field at or after `pos`: its start and end,
/// equal at the end of the line.
fn field(bytes: &[u8], pos: usize) -> (usize, usize) {
    let start = skip_blanks(bytes, pos);
    let mut end = start;
    while matches!(bytes.get(end), Some(b) if !matches!(b, b' ' | b'\t')) {
        end += 1;
    }
    (start, end)
}

/// A sample value as Rust reads an `f64` (`NaN`, `+Inf`, `-Inf` included).
fn number(raw: &str) -> Option<f64> {
    plain_decimal(raw.as_bytes()).or_else(|| raw.parse().ok())
}

/// Powers of ten exact in `f64`, as many as [`plain_decimal`] divides by.
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Most values a scrape holds: unsigned decimals (`1980`, `0.45`) of at
/// most 15 digits. Their digits and the power of ten to divide by are both
/// exact in `f64`, so one division rounds as a full parse would; anything
/// else is `None`, for the full parse.
fn plain_decimal(raw: &[u8]) -> Option<f64> {
    let (mut digits, mut mantissa, mut point) = (0, 0u64, None);
    for (at, &byte) in raw.iter().enumerate() {
        match byte {
            b'0'..=b'9' if digits < POWERS_OF_TEN.len() - 1 => {
                digits += 1;
                mantissa = mantissa * 10 + u64::from(byte - b'0');
            }
            b'.' if point.is_none() => point = Some(at),
            _ => return None,
        }
    }
    let scale = point.map_or(0, |at| raw.len() - at - 1);
    (digits > 0).then(|| mantissa as f64 / POWERS_OF_TEN[scale])
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
    fn repeated_label_sets_read_as_the_first_time() {
        let text = concat!(
            "a{x=\"1\",y=\"q\\\"\"} 1\n",
            "b{x=\"2\"} 2\n",
            "c{x=\"1\",y=\"q\\\"\"} 3\n",
            "d{x=\"2\",z=\"3\"} 4\n",
            "e{x=\"2\"}5\n",
        );
        let mut all = samples(text);
        let labels = |sample: Sample<'_>| {
            let labels: Vec<(String, String)> = sample
                .labels
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect();
            (sample.name.to_owned(), labels, sample.value)
        };
        let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        let first = labels(all.next().unwrap().unwrap());
        assert_eq!(first.1, [pair("x", "1"), pair("y", "q\"")]);
        all.next().unwrap().unwrap();
        assert_eq!(
            labels(all.next().unwrap().unwrap()),
            ("c".into(), first.1, 3.0)
        );
        let extended = labels(all.next().unwrap().unwrap());
        assert_eq!(extended.1, [pair("x", "2"), pair("z", "3")]);
        let problem = all.next().unwrap().unwrap_err();
        assert_eq!((problem.line, problem.metric.as_deref()), (5, Some("e")));
    }

    #[test]
    fn lines_end_at_newline_or_crlf() {
        let text = "# TYPE m gauge\r\n  \r\nm{a=\"1\"} 1\r\n\tm{a=\"1\"} 2\r\nm{a=\"1\"} 3";
        let all: Vec<_> = samples(text).collect::<Result<_, _>>().unwrap();
        let lines: Vec<_> = all.iter().map(|s| (s.line, s.value)).collect();
        assert_eq!(lines, [(3, 1.0), (4, 2.0), (5, 3.0)]);
        assert!(syntax_reason("m 1\rm 2\n").contains("not a number"));
        assert!(syntax_reason("m{a=\"1\r\n\"} 1\n").contains("unterminated value"));
    }

    proptest::proptest! {
        #[test]
        fn plain_decimals_read_as_the_full_parse(digits in 0u64..100_000_000_000_000_000, point in 0usize..20) {
            let mut raw = digits.to_string();
            if point <= raw.len() {
                raw.insert(raw.len() - point, '.');
            }
            let full: Result<f64, _> = raw.parse();
            proptest::prop_assert_eq!(number(&raw).map(f64::to_bits), full.ok().map(f64::to_bits));
        }
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
