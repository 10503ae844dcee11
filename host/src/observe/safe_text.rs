//! Text for people: what reaches a terminal or a text log is neutralised, so
//! a string from outside the host — a policy's reason, error or panic
//! message, a profile name, a backend's object name — can neither move the
//! cursor, clear the screen, retitle the terminal, colour the output nor
//! start a line that looks like the host's own. Control characters and the
//! bidirectional overrides become visible escapes (`\u{1b}`); JSON outputs
//! are not written through here and keep every string exact.

use std::borrow::Cow;
use std::fmt;

/// `text` with every control character (C0, DEL, C1) and bidirectional
/// formatting character written as a visible `\u{…}` escape.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A text that escapes everything written into it with `write!`, format
/// string and arguments alike; only [`SafeText::end_line`] starts a new line.
#[derive(Debug, Default)]
pub struct SafeText {
    out: String,
}

impl SafeText {
    pub fn new() -> Self {
        SafeText::default()
    }

    /// End the current line.
    pub fn end_line(&mut self) {
        self.out.push('\n');
    }

    /// Write one line: `args`, neutralised, then a line break.
    pub fn line(&mut self, args: fmt::Arguments<'_>) {
        let _ = fmt::Write::write_fmt(self, args);
        self.end_line();
    }

    /// The text written so far.
    pub fn into_string(self) -> String {
        self.out
    }
}

impl fmt::Write for SafeText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.out.push_str(&neutralize(s));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "ok\x1b[2J\x1b]0;owned\x07\r\nml-node-9  FORGED\u{202e}";

    #[test]
    fn control_characters_become_visible_escapes() {
        let safe = neutralize(HOSTILE);
        assert!(!safe.chars().any(needs_escape), "{safe}");
        assert_eq!(
            safe,
            "ok\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{d}\\u{a}ml-node-9  FORGED\\u{202e}"
        );
        assert!(matches!(neutralize("plain · text → 40"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_end_line_breaks_a_line() {
        let mut text = SafeText::new();
        text.line(format_args!("reason: {HOSTILE}"));
        text.line(format_args!("next"));
        let out = text.into_string();
        assert_eq!(out.lines().count(), 2, "{out}");
        assert!(out.lines().nth(1) == Some("next"));
    }
}
