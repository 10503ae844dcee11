//! Checks on the templates of `[[telemetry]]` sources: URLs, commands and
//! files that name the node they are filled in for (`{address}`,
//! `{hostname}`, `{name}`), and the choice between a command and a file.

use toml::Spanned;

use super::problem::Problems;
use super::resolve::Resolver;

/// Template placeholders.
const PLACEHOLDERS: [&str; 3] = ["{address}", "{hostname}", "{name}"];

/// Why a URL is refused.
#[derive(Debug, thiserror::Error)]
enum UrlProblem {
    #[error("`{url}`: scheme `{scheme}` is not http or https")]
    Scheme { url: String, scheme: String },
    #[error("`{url}` is not a URL: {reason}")]
    NotAUrl { url: String, reason: String },
}

fn http_url(url: &str) -> Result<(), UrlProblem> {
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.scheme() == "http" || parsed.scheme() == "https" => Ok(()),
        Ok(parsed) => Err(UrlProblem::Scheme {
            url: url.to_owned(),
            scheme: parsed.scheme().to_owned(),
        }),
        Err(error) => Err(UrlProblem::NotAUrl {
            url: url.to_owned(),
            reason: error.to_string(),
        }),
    }
}

/// An `http://` or `https://` URL.
pub(super) fn check_url(
    cx: &Resolver<'_>,
    key: &str,
    url: &Spanned<String>,
    problems: &mut Problems,
) {
    if let Err(why) = http_url(url.get_ref()) {
        problems.push(cx.problem(key, url, why));
    }
}

/// A URL template, checked after filling it in with a sample node.
pub(super) fn check_url_template(
    cx: &Resolver<'_>,
    key: &str,
    template: &Spanned<String>,
    problems: &mut Problems,
) {
    check_placeholders(cx, key, template, template.get_ref(), problems);
    let sample = PLACEHOLDERS
        .iter()
        .fold(template.get_ref().clone(), |text, placeholder| {
            text.replace(placeholder, "127.0.0.1")
        });
    if let Err(why) = http_url(&sample) {
        problems.push(cx.problem(key, template, why));
    }
}

/// Braces in `text` (part of `value`) that are not one of [`PLACEHOLDERS`].
fn check_placeholders<T>(
    cx: &Resolver<'_>,
    key: &str,
    value: &Spanned<T>,
    text: &str,
    problems: &mut Problems,
) {
    let rest = PLACEHOLDERS
        .iter()
        .fold(text.to_owned(), |text, placeholder| {
            text.replace(placeholder, "")
        });
    if rest.contains(['{', '}']) {
        problems.push(cx.problem(
            key,
            value,
            format_args!(
                "`{text}` has an unknown placeholder; expected one of: {}",
                PLACEHOLDERS.join(", ")
            ),
        ));
    }
}

fn has_placeholder(text: &str) -> bool {
    PLACEHOLDERS
        .iter()
        .any(|placeholder| text.contains(placeholder))
}

/// Where an nvidia-smi source reads from: a command (`command`,
/// `list_command`) or a file (`file`, `list_file`), with their keys.
pub(super) struct Input {
    command: (&'static str, Option<Spanned<Vec<String>>>),
    file: (&'static str, Option<Spanned<String>>),
}

impl Input {
    pub(super) fn new(
        command: (&'static str, Option<Spanned<Vec<String>>>),
        file: (&'static str, Option<Spanned<String>>),
    ) -> Input {
        Input { command, file }
    }

    /// Neither given.
    pub(super) fn is_empty(&self) -> bool {
        self.command.1.is_none() && self.file.1.is_none()
    }

    /// One of the two at most; a template naming the node when `per_node`
    /// (run or read once per node).
    pub(super) fn check(&self, cx: &Resolver<'_>, per_node: bool, problems: &mut Problems) {
        let (command_key, file_key) = (self.command.0, self.file.0);
        match (&self.command.1, &self.file.1) {
            (Some(command), Some(_)) => problems.push(cx.problem(
                command_key,
                command,
                format_args!("give `{command_key}` or `{file_key}`, not both"),
            )),
            (Some(command), None) => {
                let argv = command.get_ref();
                if argv.first().is_none_or(String::is_empty) {
                    problems.push(cx.problem(
                        command_key,
                        command,
                        "empty; expected [program, args…]",
                    ));
                }
                for arg in argv {
                    check_placeholders(cx, command_key, command, arg, problems);
                }
                if per_node && !argv.iter().any(|arg| has_placeholder(arg)) {
                    problems.push(cx.problem(
                        command_key,
                        command,
                        "runs once per node, so it must name the node ({address}, {hostname} or \
                         {name}); or set `node`",
                    ));
                }
            }
            (None, Some(file)) => {
                check_placeholders(cx, file_key, file, file.get_ref(), problems);
                if per_node && !has_placeholder(file.get_ref()) {
                    problems.push(cx.problem(
                        file_key,
                        file,
                        "read once per node, so it must name the node ({address}, {hostname} or \
                         {name}); or set `node`",
                    ));
                }
            }
            (None, None) => {}
        }
    }

    /// The command and the file.
    pub(super) fn into_inner(self) -> (Option<Vec<String>>, Option<String>) {
        (
            self.command.1.map(Spanned::into_inner),
            self.file.1.map(Spanned::into_inner),
        )
    }
}
