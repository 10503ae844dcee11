//! Request traces: CSV files of requests, each with its arrival time, its
//! prompt (context) tokens and the tokens it generated. Two forms are read,
//! told apart by their header:
//!
//! - the Azure LLM inference trace (`TIMESTAMP,ContextTokens,GeneratedTokens`,
//!   timestamps like `2023-11-16 18:15:46.6805900`, UTC);
//! - a plain form, `seconds,prompt_tokens,output_tokens`, seconds from any
//!   origin.
//!
//! Arrival times come out in seconds from the trace's first request, in
//! arrival order (a file out of order is sorted, stably). Every row that
//! cannot be read is reported with its line.

use std::path::{Path, PathBuf};

/// One request of a trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Request {
    /// Arrival, seconds from the start of the load.
    pub at_s: f64,
    /// Prompt (context) tokens.
    pub prompt_tokens: u32,
    /// Tokens generated, the first included.
    pub output_tokens: u32,
}

/// Why a trace could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    #[error("{}: cannot read the trace", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not CSV", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
    #[error(
        "{}: line 1: header {found:?} is neither `{AZURE_HEADER}` (the Azure LLM inference trace) nor `{PLAIN_HEADER}`",
        path.display()
    )]
    Header { path: PathBuf, found: String },
    #[error("{}", rows_text(path, problems))]
    Rows {
        path: PathBuf,
        /// `line N: …`, one per bad row.
        problems: Vec<String>,
    },
    #[error("{}: the trace holds no request", path.display())]
    Empty { path: PathBuf },
}

const AZURE_HEADER: &str = "TIMESTAMP,ContextTokens,GeneratedTokens";
const PLAIN_HEADER: &str = "seconds,prompt_tokens,output_tokens";
/// Bad rows named in an error; the rest are counted.
const PROBLEMS_SHOWN: usize = 20;

fn rows_text(path: &Path, problems: &[String]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(PROBLEMS_SHOWN)
        .map(|p| format!("{}: {p}", path.display()))
        .collect();
    if problems.len() > PROBLEMS_SHOWN {
        lines.push(format!(
            "{}: … and {} more bad rows",
            path.display(),
            problems.len() - PROBLEMS_SHOWN
        ));
    }
    lines.join("\n")
}

#[derive(Clone, Copy)]
enum Form {
    Azure,
    Plain,
}

/// Read the trace at `path`.
pub fn read(path: &Path) -> Result<Vec<Request>, TraceError> {
    let text = std::fs::read_to_string(path).map_err(|source| TraceError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text).map_err(|problem| problem.at(path))
}

/// A problem before the file's path is known.
#[derive(Debug)]
enum Unreadable {
    Csv(csv::Error),
    Header(String),
    Rows(Vec<String>),
    Empty,
}

impl Unreadable {
    fn at(self, path: &Path) -> TraceError {
        let path = path.to_owned();
        match self {
            Unreadable::Csv(source) => TraceError::Csv { path, source },
            Unreadable::Header(found) => TraceError::Header { path, found },
            Unreadable::Rows(problems) => TraceError::Rows { path, problems },
            Unreadable::Empty => TraceError::Empty { path },
        }
    }
}

/// Parse a trace's text.
fn parse(text: &str) -> Result<Vec<Request>, Unreadable> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(Unreadable::Csv)?;
    let found: Vec<&str> = header.iter().collect();
    let form = match found.join(",") {
        h if h == AZURE_HEADER => Form::Azure,
        h if h == PLAIN_HEADER => Form::Plain,
        h => return Err(Unreadable::Header(h)),
    };
    let mut requests = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = record.map_err(Unreadable::Csv)?;
        let line = record.position().map_or(0, csv::Position::line);
        match row(form, &record) {
            Ok((at_s, prompt_tokens, output_tokens)) => requests.push(Request {
                at_s,
                prompt_tokens,
                output_tokens,
            }),
            Err(problem) => problems.push(format!("line {line}: {problem}")),
        }
    }
    if !problems.is_empty() {
        return Err(Unreadable::Rows(problems));
    }
    if requests.is_empty() {
        return Err(Unreadable::Empty);
    }
    // Relative to the earliest arrival, whichever row holds it; the
    // subtraction is exact to well under a microsecond at Unix-epoch scale.
    let earliest = requests
        .iter()
        .map(|r| r.at_s)
        .fold(f64::INFINITY, f64::min);
    for request in &mut requests {
        request.at_s -= earliest;
    }
    requests.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    Ok(requests)
}

/// What is wrong with one row.
#[derive(Debug, thiserror::Error)]
enum BadRow {
    #[error("{field} is missing")]
    Missing { field: &'static str },
    #[error("{field} {value:?} is not `YYYY-MM-DD HH:MM:SS[.fraction]`")]
    Timestamp { field: &'static str, value: String },
    #[error("{field} {value:?} is not a number")]
    Seconds { field: &'static str, value: String },
    #[error("{field} {value:?} is not a whole number of tokens")]
    Tokens { field: &'static str, value: String },
    #[error("{field} is 0; a request generates at least one token")]
    NoOutput { field: &'static str },
}

fn row(form: Form, record: &csv::StringRecord) -> Result<(f64, u32, u32), BadRow> {
    let field = |i: usize, field: &'static str| {
        record
            .get(i)
            .filter(|v| !v.is_empty())
            .ok_or(BadRow::Missing { field })
    };
    let (time, prompt, output) = match form {
        Form::Azure => ("TIMESTAMP", "ContextTokens", "GeneratedTokens"),
        Form::Plain => ("seconds", "prompt_tokens", "output_tokens"),
    };
    let text = field(0, time)?;
    let at_s = match form {
        Form::Azure => timestamp_s(text).ok_or_else(|| BadRow::Timestamp {
            field: time,
            value: text.to_owned(),
        }),
        Form::Plain => text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite())
            .ok_or_else(|| BadRow::Seconds {
                field: time,
                value: text.to_owned(),
            }),
    }?;
    let tokens = |i: usize, name: &'static str| {
        let text = field(i, name)?;
        text.parse::<u32>().map_err(|_| BadRow::Tokens {
            field: name,
            value: text.to_owned(),
        })
    };
    let prompt_tokens = tokens(1, prompt)?;
    let output_tokens = tokens(2, output)?;
    if output_tokens == 0 {
        return Err(BadRow::NoOutput { field: output });
    }
    Ok((at_s, prompt_tokens, output_tokens))
}

/// Seconds since the Unix epoch of `YYYY-MM-DD HH:MM:SS[.fraction]` (UTC).
fn timestamp_s(text: &str) -> Option<f64> {
    let (date, time) = text.split_once(' ')?;
    let mut date = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (date.next()??, date.next()??, date.next()??);
    let mut time = time.splitn(3, ':');
    let hour: i64 = time.next()?.parse().ok()?;
    let minute: i64 = time.next()?.parse().ok()?;
    let second: f64 = time.next()?.parse().ok()?;
    let valid = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0.0..61.0).contains(&second);
    valid.then(|| {
        let days = days_from_civil(year, month, day);
        (days * 86_400 + hour * 3_600 + minute * 60) as f64 + second
    })
}

/// Days from 1970-01-01 to the given proleptic Gregorian date (Howard
/// Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_azure_form_reads_seconds_from_the_first_request() {
        let trace = parse(
            "TIMESTAMP,ContextTokens,GeneratedTokens\n\
             2023-11-16 18:15:46.6805900,374,44\n\
             2023-11-16 18:15:50.9951690,396,109\n\
             2023-11-16 18:16:00.0000000,10,1\n",
        )
        .unwrap();
        assert_eq!(trace.len(), 3);
        assert_eq!(trace[0].at_s, 0.0);
        assert!((trace[1].at_s - 4.314579).abs() < 1e-6, "{}", trace[1].at_s);
        assert!((trace[2].at_s - 13.31941).abs() < 1e-5);
        assert_eq!((trace[1].prompt_tokens, trace[1].output_tokens), (396, 109));
    }

    #[test]
    fn the_plain_form_is_sorted_by_arrival() {
        let trace = parse("seconds,prompt_tokens,output_tokens\n5,10,2\n2.5,20,3\n").unwrap();
        assert_eq!(trace[0].at_s, 0.0);
        assert_eq!(trace[0].prompt_tokens, 20);
        assert_eq!(trace[1].at_s, 2.5);
    }

    #[test]
    fn timestamps_count_days_across_months_and_years() {
        assert_eq!(timestamp_s("1970-01-01 00:00:00"), Some(0.0));
        assert_eq!(timestamp_s("2023-11-16 18:15:46"), Some(1_700_158_546.0));
        assert_eq!(timestamp_s("2024-03-01 00:00:00"), Some(1_709_251_200.0));
        assert_eq!(timestamp_s("2023-13-01 00:00:00"), None);
        assert_eq!(timestamp_s("yesterday"), None);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let Err(Unreadable::Rows(problems)) =
            parse("seconds,prompt_tokens,output_tokens\n1,10,2\nsoon,10,2\n3,-4,2\n4,10,0\n")
        else {
            panic!("bad rows must be refused");
        };
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("line 3: seconds \"soon\""),
            "{problems:?}"
        );
        assert!(problems[1].starts_with("line 4: prompt_tokens \"-4\""));
        assert!(problems[2].contains("line 5: output_tokens is 0"));
    }

    #[test]
    fn an_unknown_header_or_no_rows_is_refused() {
        assert!(matches!(parse("a,b,c\n1,2,3\n"), Err(Unreadable::Header(h)) if h == "a,b,c"));
        assert!(matches!(
            parse("seconds,prompt_tokens,output_tokens\n"),
            Err(Unreadable::Empty)
        ));
    }

    #[test]
    fn the_shared_trace_reads_whole() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/traces/azure-llm-conv-2023.csv");
        let trace = read(&path).unwrap();
        assert_eq!(trace.len(), 19_366);
        let span = trace.last().unwrap().at_s;
        assert!((3_500.0..3_520.0).contains(&span), "{span}");
    }
}
