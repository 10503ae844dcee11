//! The scenario's `[guard]` table: the host's guard rails, read by the same
//! resolver as the host's configuration reads `[guard]`
//! ([`GuardTable`]), with the same keys, defaults and checks, each problem
//! naming its key and line.

use crate::config::GuardTable;
use crate::guard::GuardRails;

/// The rails `table` sets (the defaults when absent); problems are added to
/// `problems`. `text` is the scenario file's.
pub(super) fn guard_rails(
    table: Option<GuardTable>,
    text: &str,
    problems: &mut Vec<String>,
) -> GuardRails {
    let Some(table) = table else {
        return GuardRails::default();
    };
    table.resolve(text, "guard").unwrap_or_else(|found| {
        problems.extend(found.iter().map(ToString::to_string));
        GuardRails::default()
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn read(text: &str) -> (GuardRails, Vec<String>) {
        #[derive(serde::Deserialize)]
        struct File {
            guard: Option<GuardTable>,
        }
        let file: File = toml::from_str(text).unwrap();
        let mut problems = Vec::new();
        (guard_rails(file.guard, text, &mut problems), problems)
    }

    #[test]
    fn the_host_rails_are_read_with_their_defaults() {
        let (rails, problems) = read("[guard]\nscale_in_stabilization_secs = 120\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rails.scale_in_stabilization, Duration::from_secs(120));
        assert_eq!(
            rails.scale_out_cooldown,
            GuardRails::default().scale_out_cooldown
        );
        assert_eq!(read("").0, GuardRails::default());
    }

    #[test]
    fn bad_values_name_the_key_and_line() {
        let (_, problems) = read("[guard]\nmin_enabled_share = 2.0\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("guard.min_enabled_share (line 2)"),
            "{problems:?}"
        );
    }
}
