//! The plan as `host plan` and `--dry-run` print it: one line per change with
//! the policy and its reason.

use std::fmt::Write as _;

use super::Plan;

/// One line per change, then a summary line.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    for planned in &plan.changes {
        let _ = writeln!(
            out,
            "  {}  [{}] {}",
            planned.change, planned.policy, planned.reason
        );
    }
    let _ = writeln!(
        out,
        "{} change(s), {} decision(s) already held",
        plan.changes.len(),
        plan.unchanged
    );
    out
}
