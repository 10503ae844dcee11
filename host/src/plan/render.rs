//! The plan as `host plan` and `--dry-run` print it: one line per change with
//! the policy and its reason, neutralised for the terminal.

use super::Plan;
use crate::observe::SafeText;

/// One line per change, then a summary line.
pub fn render(plan: &Plan) -> String {
    let mut out = SafeText::new();
    for planned in &plan.changes {
        out.line(format_args!(
            "  {}  [{}] {}",
            planned.change, planned.policy, planned.reason
        ));
    }
    out.line(format_args!(
        "{} change(s), {} decision(s) already held",
        plan.changes.len(),
        plan.unchanged
    ));
    out.into_string()
}
