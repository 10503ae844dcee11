//! Reporting the lab's runs. A test run: one line per case, the failures of
//! each failed case with the decisions the policy made, a `N passed, M
//! failed` summary, and JUnit XML for CI systems. A replay: one line per
//! recorded cycle, the changes that differ, and the totals.

use std::io::Write;
use std::path::Path;

use quick_xml::Writer;
use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};

use super::replay::Replay;
use super::suite::CaseResult;
use crate::observe::SafeText;

/// The run as a person reads it. Text from the policy (reasons) and from the
/// fixtures is neutralised.
pub fn text(policy: &str, results: &[CaseResult]) -> String {
    let mut out = SafeText::new();
    for result in results {
        let verdict = if result.passed() { "ok    " } else { "FAILED" };
        out.line(format_args!(
            "{verdict} {} ({:.1} ms)",
            result.name,
            result.held.as_secs_f64() * 1e3
        ));
        if result.passed() {
            continue;
        }
        out.line(format_args!("       {}", result.file.display()));
        for failure in &result.failures {
            for (i, line) in failure.lines().enumerate() {
                let lead = if i == 0 { "  ✗ " } else { "    " };
                out.line(format_args!("     {lead}{line}"));
            }
        }
        if !result.decisions.is_empty() {
            out.line(format_args!("       decisions made:"));
            for decision in &result.decisions {
                out.line(format_args!("         {decision}"));
            }
        }
    }
    let failed = results.iter().filter(|r| !r.passed()).count();
    out.line(format_args!(
        "{policy}: {} passed, {failed} failed",
        results.len() - failed
    ));
    out.into_string()
}

/// The run as JUnit XML: one suite named after the policy, one test case per
/// case, a `<failure>` holding every failed expectation.
pub fn junit(policy: &str, results: &[CaseResult], out: impl Write) -> std::io::Result<()> {
    let failed = results.iter().filter(|r| !r.passed()).count();
    let seconds: f64 = results.iter().map(|r| r.held.as_secs_f64()).sum();
    let (tests, failures, time) = (
        results.len().to_string(),
        failed.to_string(),
        format!("{seconds:.6}"),
    );
    let mut xml = Writer::new_with_indent(out, b' ', 2);
    let counts = [
        ("name", policy),
        ("tests", &tests),
        ("failures", &failures),
        ("errors", "0"),
        ("time", &time),
    ];
    xml.write_event(Event::Start(
        BytesStart::new("testsuites").with_attributes(counts),
    ))?;
    xml.write_event(Event::Start(
        BytesStart::new("testsuite").with_attributes(counts),
    ))?;
    for result in results {
        let time = format!("{:.6}", result.held.as_secs_f64());
        let file = result.file.display().to_string();
        let case = BytesStart::new("testcase").with_attributes([
            ("name", result.name.as_str()),
            ("classname", policy),
            ("file", &file),
            ("time", &time),
        ]);
        if result.passed() {
            xml.write_event(Event::Empty(case))?;
            continue;
        }
        xml.write_event(Event::Start(case))?;
        let message = result.failures[0].lines().next().unwrap_or_default();
        xml.write_event(Event::Start(
            BytesStart::new("failure").with_attributes([("message", message)]),
        ))?;
        xml.write_event(Event::Text(BytesText::new(&result.failures.join("\n"))))?;
        xml.write_event(Event::End(BytesEnd::new("failure")))?;
        xml.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuite")))?;
    xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
    Ok(())
}

/// Write the JUnit report to `path`.
pub fn write_junit(path: &Path, policy: &str, results: &[CaseResult]) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
    junit(policy, results, &mut file)?;
    file.write_all(b"\n")?;
    file.flush()
}

/// A replay as a person reads it: cycles in agreement on one line each, the
/// differences of the others listed, then the totals.
pub fn replay_text(replay: &Replay) -> String {
    let mut out = SafeText::new();
    out.line(format_args!(
        "replaying candidate {} against live {} on {} recorded cycles",
        replay.candidate,
        replay.against,
        replay.cycles.len()
    ));
    for cycle in &replay.cycles {
        let verdict = if cycle.agrees() { "agrees " } else { "differs" };
        out.line(format_args!(
            "cycle {:>6} {verdict}  {} same, {} only candidate, {} only live, {} rejected",
            cycle.cycle,
            cycle.changes.same.len(),
            cycle.changes.only_candidate.len(),
            cycle.changes.only_live.len(),
            cycle.rejected.len()
        ));
        if let Some(error) = &cycle.failed {
            out.line(format_args!("    ✗ the candidate failed: {error}"));
        }
        for change in &cycle.changes.only_candidate {
            out.line(format_args!("    + {change}  (only the candidate)"));
        }
        for change in &cycle.changes.only_live {
            out.line(format_args!("    - {change}  (only live)"));
        }
        for rejection in &cycle.rejected {
            out.line(format_args!("    ! rejected: {rejection}"));
        }
    }
    let sum = |count: fn(&super::replay::CycleComparison) -> usize| -> usize {
        replay.cycles.iter().map(count).sum()
    };
    out.line(format_args!(
        "{} of {} cycles agree; changes: {} same, {} only the candidate's, {} only live; {} rejected; {} failed evaluations; {} cycles not recorded",
        replay.agreeing(),
        replay.cycles.len(),
        sum(|c| c.changes.same.len()),
        sum(|c| c.changes.only_candidate.len()),
        sum(|c| c.changes.only_live.len()),
        sum(|c| c.rejected.len()),
        sum(|c| usize::from(c.failed.is_some())),
        replay.skipped
    ));
    out.into_string()
}
