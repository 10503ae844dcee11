//! The label sets a scrape has already written, so a repeated one is
//! compared rather than parsed again.
//!
//! An exporter writes each GPU's (and MIG instance's) label set once per
//! field, in the same order for every field: the set a line repeats is nearly
//! always the one after the last repeated, or the first. Only those two are
//! tried, so a scrape whose sets never repeat costs at most two failed
//! comparisons a line.

use super::exposition::Labels;

/// Most label-set text kept per scrape, bytes: 8 GPUs with 7 MIG instances
/// each write about 15 KiB.
const MAX_KEPT_BYTES: usize = 32 * 1024;

/// Label sets by their text from `{` to `}`, in the order first read.
#[derive(Default)]
pub(super) struct LabelSets<'a> {
    sets: Vec<(&'a str, Labels<'a>)>,
    /// Text bytes of the sets kept.
    bytes: usize,
    /// The set expected next.
    next: usize,
}

impl<'a> LabelSets<'a> {
    /// The kept set `rest` (a line from its `{` on) starts with: its text
    /// length and labels. Parsing those bytes again would give the same.
    pub(super) fn repeated(&mut self, rest: &str) -> Option<(usize, &Labels<'a>)> {
        let at = [self.next, 0].into_iter().find(|&at| {
            self.sets
                .get(at)
                .is_some_and(|(text, _)| rest.starts_with(text))
        })?;
        self.next = at + 1;
        let (text, labels) = &self.sets[at];
        Some((text.len(), labels))
    }

    /// Keep the set written as `text`, read as `labels`, while there is room.
    pub(super) fn keep(&mut self, text: &'a str, labels: &Labels<'a>) {
        if self.bytes + text.len() <= MAX_KEPT_BYTES {
            self.bytes += text.len();
            self.sets.push((text, labels.clone()));
        }
        self.next = self.sets.len();
    }
}
