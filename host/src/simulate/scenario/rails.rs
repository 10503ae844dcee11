//! The scenario's `[guard]` table: the host's guard rails, read exactly as
//! the host's configuration reads `[guard]` (today [`GuardRails`]'
//! `Deserialize` and [`GuardRails::validate`]). This is the one place the
//! simulator reads them, so following a change in how the configuration
//! resolves `[guard]` means changing this function only.

use toml::Spanned;

use crate::guard::GuardRails;

/// The rails `table` sets (the defaults when absent); problems are added to
/// `problems`, each naming the table's line.
pub(super) fn guard_rails(
    table: Option<Spanned<toml::Value>>,
    line: impl Fn(usize) -> usize,
    problems: &mut Vec<String>,
) -> GuardRails {
    let Some(table) = table else {
        return GuardRails::default();
    };
    let at = line(table.span().start);
    match table.into_inner().try_into::<GuardRails>() {
        Ok(rails) => match rails.validate() {
            Ok(()) => rails,
            Err(errors) => {
                problems.extend(errors.into_iter().map(|e| format!("{e} (line {at})")));
                GuardRails::default()
            }
        },
        Err(err) => {
            problems.push(format!("[guard] (line {at}): {}", err.message()));
            GuardRails::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (GuardRails, Vec<String>) {
        #[derive(serde::Deserialize)]
        struct File {
            guard: Option<Spanned<toml::Value>>,
        }
        let file: File = toml::from_str(text).unwrap();
        let mut problems = Vec::new();
        let line = |offset: usize| text[..offset].matches('\n').count() + 1;
        (guard_rails(file.guard, line, &mut problems), problems)
    }

    #[test]
    fn the_host_rails_are_read_with_their_defaults() {
        let (rails, problems) = read("[guard]\nscale_in_stabilization_secs = 120\n");
        assert!(problems.is_empty());
        assert_eq!(rails.scale_in_stabilization_secs, 120);
        assert_eq!(
            rails.scale_out_cooldown_secs,
            GuardRails::default().scale_out_cooldown_secs
        );
        assert_eq!(read("").0, GuardRails::default());
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_line() {
        let (_, problems) = read("\n[guard]\nmin_enabled = 2\n");
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].starts_with("[guard] (line 2): unknown field `min_enabled`"),
            "{problems:?}"
        );
        let (_, problems) = read("[guard]\nmin_group_size = 9\nmax_group_size = 3\n");
        assert!(
            problems[0].contains("min_group_size: 9 is larger than max_group_size 3 (line 1)"),
            "{problems:?}"
        );
    }
}
