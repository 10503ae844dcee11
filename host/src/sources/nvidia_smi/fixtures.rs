//! Test access to the recorded nvidia-smi output in
//! `tests/fixtures/nvidia-smi/`: a fixture file's text, and one command's
//! section of a full capture.

use std::path::Path;

/// The text of fixture `name`.
pub(super) fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/nvidia-smi")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The body of the section titled `title` in a full capture file.
pub(super) fn section<'a>(capture: &'a str, title: &str) -> &'a str {
    let heading = format!("\n# {title}\n");
    let start = capture
        .find(&heading)
        .unwrap_or_else(|| panic!("no section {title}"));
    let after = &capture[start + heading.len()..];
    let body_start = after.find("####\n").expect("the heading's closing rule") + "####\n".len();
    let body = &after[body_start..];
    let end = body.find("\n####").unwrap_or(body.len());
    body[..end].trim_end()
}
