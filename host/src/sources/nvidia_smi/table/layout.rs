//! The box drawing of nvidia-smi's default table: the output split into its
//! boxes (the GPU table, "MIG devices", "Processes"), each into the rows
//! above its `|===|` line and the records below it, one record per run of
//! rows between `+---+` rules. Values are left to the caller; a box that is
//! not closed, a missing `|===|` line or stray text rejects the output.

use super::super::NvidiaSmiError;
use crate::sources::reading::clip;

/// One row: its 1-based line and the text between the outer `|`s.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row<'t> {
    pub line: usize,
    pub inner: &'t str,
}

impl<'t> Row<'t> {
    /// The cells between `|`s, trimmed.
    pub fn cells(&self) -> Vec<&'t str> {
        self.inner.split('|').map(str::trim).collect()
    }
}

/// One box of the table.
#[derive(Debug)]
pub(super) struct Section<'t> {
    /// The title row (`NVIDIA-SMI …`, `MIG devices:`, `Processes:`).
    pub title: Row<'t>,
    /// The records under the `|===|` line, each one or more rows.
    pub records: Vec<Vec<Row<'t>>>,
}

/// What a line of the table is.
enum Line<'t> {
    Blank,
    /// `+----+----+`
    Rule,
    /// `|====+====|`
    Divider,
    Row(&'t str),
    Text(&'t str),
}

fn classify(raw: &str) -> Line<'_> {
    let line = raw.trim_end();
    let boxed = |edge: char| line.len() >= 2 && line.starts_with(edge) && line.ends_with(edge);
    if line.is_empty() {
        Line::Blank
    } else if boxed('+') && line.chars().all(|c| matches!(c, '+' | '-')) {
        Line::Rule
    } else if boxed('|') {
        let inner = &line[1..line.len() - 1];
        if !inner.is_empty() && inner.chars().all(|c| matches!(c, '=' | '+' | '|')) {
            Line::Divider
        } else {
            Line::Row(inner)
        }
    } else {
        Line::Text(line)
    }
}

/// The boxes of `text`, in order. One line of text (the date nvidia-smi
/// prints) may precede the first box.
pub(super) fn sections<'t>(
    source_name: &str,
    text: &'t str,
) -> Result<Vec<Section<'t>>, NvidiaSmiError> {
    let syntax = |line: usize, reason: String| NvidiaSmiError::Syntax {
        source_name: source_name.to_owned(),
        line,
        reason,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(at, raw)| (at + 1, classify(raw)));
    let mut preamble: Option<(usize, &str)> = None;
    let mut sections = Vec::new();
    while let Some((line, kind)) = lines.next() {
        match kind {
            Line::Blank => continue,
            Line::Rule => {}
            Line::Text(text) if preamble.is_none() && sections.is_empty() => {
                preamble = Some((line, text));
                continue;
            }
            Line::Text(text) | Line::Row(text) => {
                return Err(syntax(
                    line,
                    format!(
                        "expected a `+---…+` line opening a box of the table, found `{}`",
                        clip(text.trim())
                    ),
                ));
            }
            Line::Divider => {
                return Err(syntax(
                    line,
                    "expected a `+---…+` line opening a box of the table, found a `|===|` line"
                        .to_owned(),
                ));
            }
        }
        // A box, from its opening rule to the next blank line or the end.
        let mut title: Option<Row<'t>> = None;
        let mut records: Option<Vec<Vec<Row<'t>>>> = None;
        let mut closed = false;
        let mut last = line;
        for (line, kind) in lines.by_ref() {
            let rule = matches!(kind, Line::Rule);
            match kind {
                Line::Blank => break,
                Line::Rule => {
                    if let Some(records) = &mut records
                        && records.last().is_none_or(|record| !record.is_empty())
                    {
                        records.push(Vec::new());
                    }
                }
                Line::Divider if records.is_none() && title.is_some() => {
                    records = Some(vec![Vec::new()]);
                }
                Line::Divider => {
                    return Err(syntax(line, "unexpected `|===|` line".to_owned()));
                }
                Line::Row(inner) => {
                    let row = Row { line, inner };
                    match (&mut records, &title) {
                        (Some(records), _) => records
                            .last_mut()
                            .expect("a divider opens the first record")
                            .push(row),
                        (None, None) => title = Some(row),
                        // Column headings: the values are read by position.
                        (None, Some(_)) => {}
                    }
                }
                Line::Text(text) => {
                    return Err(syntax(
                        line,
                        format!("expected a row of the table, found `{}`", clip(text.trim())),
                    ));
                }
            }
            last = line;
            closed = rule;
        }
        let Some(title) = title else {
            return Err(syntax(line, "a box with no title row".to_owned()));
        };
        let title_text = title.inner.trim();
        let name = if title_text.starts_with("NVIDIA-SMI") {
            "the GPU table".to_owned()
        } else {
            format!("`{}`", clip(title_text))
        };
        let Some(mut records) = records else {
            return Err(syntax(
                last,
                format!("{name} ends before its `|===|` line: truncated output?"),
            ));
        };
        if !closed {
            return Err(syntax(
                last,
                format!("{name} ends without its closing `+---…+` line: truncated output?"),
            ));
        }
        records.retain(|record| !record.is_empty());
        sections.push(Section { title, records });
    }
    if sections.is_empty() {
        let (line, found) = preamble.map_or((1, "no text".to_owned()), |(line, text)| {
            (line, format!("`{}`", clip(text.trim())))
        });
        return Err(syntax(
            line,
            format!("not nvidia-smi's default table: expected `+---…+` boxes, found {found}"),
        ));
    }
    Ok(sections)
}
