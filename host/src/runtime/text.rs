//! Text a policy hands the host as a message — errors, panic messages,
//! backtraces — bounded and neutralised before the host keeps it. Every
//! piece is cut to a documented size at a character boundary, with a note of
//! how long it was, and its control characters are escaped, so no policy can
//! make the host print or store more than the cap, or a message that drives
//! a terminal. (Reasons are data, not messages: they are kept exact and
//! neutralised where they are shown.)

use crate::observe::neutralize;

/// Longest error or panic message kept from a policy, in bytes.
pub const MAX_ERROR_BYTES: usize = 2048;

/// Longest backtrace kept from a trap, in bytes (its function names come
/// from the policy's own name section).
pub(crate) const MAX_BACKTRACE_BYTES: usize = 2048;

/// `text` neutralised and cut to at most `max` bytes at a character
/// boundary; a cut text ends with a note of its full length. The flag says
/// whether it was cut.
pub(crate) fn capped(text: &str, max: usize) -> (String, bool) {
    capped_from(text, text.len(), max)
}

/// [`capped`] for a text of which the host kept only the start, `kept`:
/// the note gives its full length, `full_len` bytes.
pub(crate) fn capped_from(kept: &str, full_len: usize, max: usize) -> (String, bool) {
    let safe = neutralize(prefix(kept, max));
    if full_len <= max && safe.len() <= max {
        return (safe.into_owned(), false);
    }
    let kept = prefix(&safe, max);
    (format!("{kept}… ({full_len} bytes in all)"), true)
}

/// The longest prefix of `text` of at most `max` bytes that ends on a
/// character boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(capped("abc", 10), ("abc".to_owned(), false));
    }

    #[test]
    fn control_characters_are_escaped_within_the_cap() {
        assert_eq!(capped("a\x1b[2J", 64), ("a\\u{1b}[2J".to_owned(), false));
        let (kept, cut) = capped(&"\x1b".repeat(100), 64);
        assert!(cut && kept.starts_with("\\u{1b}"), "{kept}");
        assert!(kept.len() < 64 + 32, "{kept}");
    }

    #[test]
    fn long_text_is_cut_at_a_character_and_says_how_long_it_was() {
        let (kept, cut) = capped("aéé", 2);
        assert!(cut);
        assert_eq!(kept, "a… (5 bytes in all)");
        assert_eq!(prefix("aé", 2), "a");
    }

    #[test]
    fn a_text_kept_in_part_says_how_long_it_was() {
        assert_eq!(
            capped_from("abc", 4096, 2),
            ("ab… (4096 bytes in all)".to_owned(), true)
        );
        assert_eq!(capped_from("abc", 3, 8), ("abc".to_owned(), false));
    }
}
