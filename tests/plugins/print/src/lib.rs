//! Test policy: writes to stdout and stderr, as a Python `print` or a
//! JavaScript `console.log` does, and decides nothing.
//!
//! - `configure` prints `configured` to stdout;
//! - `decide` prints, in this order: `deciding` to stdout; to stderr a line
//!   holding terminal escapes and a forged log line
//!   (`forged\x1b[2J\r\n2026-01-01 INFO host: all good`); to stdout `"lines"`
//!   lines (settings, by text; 0 by default) of `"line_bytes"` bytes each (80
//!   by default), numbered `line N`; and last `unfinished`, with no line break.

use std::io::Write;

use fulcrum_sdk::{ActionKind, Decisions, Host, Metadata, Policy, SnapshotView};

/// Prints as its settings say.
pub struct Print {
    lines: usize,
    line_bytes: usize,
}

/// The number value of `"key": N` in `settings`.
fn number(settings: &str, key: &str) -> Option<usize> {
    let compact: String = settings.chars().filter(|c| !c.is_whitespace()).collect();
    let start = compact.find(&format!("\"{key}\":"))? + key.len() + 3;
    let digits: String = compact[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

impl Policy for Print {
    fn metadata() -> Metadata {
        Metadata {
            name: "test-print".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "writes to stdout and stderr".into(),
            action_kinds: vec![ActionKind::MemberRatio],
        }
    }

    fn configure(settings: &str) -> Result<Self, String> {
        println!("configured");
        Ok(Print {
            lines: number(settings, "lines").unwrap_or(0),
            line_bytes: number(settings, "line_bytes").unwrap_or(80),
        })
    }

    fn decide(
        &self,
        _snapshot: &SnapshotView<'_>,
        _host: &mut dyn Host,
    ) -> Result<Decisions, String> {
        println!("deciding");
        eprintln!("forged\x1b[2J\r\n2026-01-01 INFO host: all good");
        let mut stdout = std::io::stdout().lock();
        for n in 0..self.lines {
            let label = format!("line {n} ");
            let fill = "x".repeat(self.line_bytes.saturating_sub(label.len()));
            let _ = writeln!(stdout, "{label}{fill}");
        }
        let _ = write!(stdout, "unfinished");
        let _ = stdout.flush();
        Ok(Decisions::new())
    }
}

fulcrum_sdk::export_policy!(Print);
