//! The audit record of one cycle, and reading the log back for operators:
//! what came in (a digest of the snapshot), what every policy decided, what
//! the guard rejected, what was planned, what was applied and what failed.
//! [`print_audit`] is `host audit [--since T] [--json]`.

use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ReadAudit;
use crate::guard::{Accepted, Rejection, Target, action_value};
use crate::model::{Decision, Snapshot};
use crate::plan::{Comparison, PlannedChange};

/// Everything one cycle saw and did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub cycle: u64,
    /// When the cycle started, in ms since the Unix epoch.
    pub at_ms: u64,
    /// [`inputs_digest`] of the cycle's snapshot.
    pub inputs_digest: String,
    pub outcome: CycleOutcome,
    pub policies: Vec<PolicyRecord>,
    #[serde(default)]
    pub rejections: Vec<RejectionRecord>,
    /// Accepted actions a guard rail shortened (a step limit, a
    /// stabilization window), each with the values.
    #[serde(default)]
    pub held_back: Vec<HeldBackRecord>,
    /// Changes planned and never attempted: an interrupted cycle's. A
    /// completed cycle lists each of its changes once, under `applied`;
    /// [`AuditRecord::planned_changes`] reads either.
    #[serde(default)]
    pub planned: Vec<PlannedChange>,
    /// Every change of a completed cycle, in plan order, with how it went.
    #[serde(default)]
    pub applied: Vec<AppliedRecord>,
    /// Source failures and other errors of the cycle.
    #[serde(default)]
    pub errors: Vec<String>,
    /// How each evaluated shadow policy compared with what was applied.
    #[serde(default)]
    pub shadows: Vec<ShadowRecord>,
    /// The replica that applied the cycle, when replicas share the state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<String>,
}

impl AuditRecord {
    /// Every change the cycle planned, in plan order, attempted or not.
    /// (Records of completed cycles written by earlier versions list the
    /// changes under both `planned` and `applied`; they are read once.)
    pub fn planned_changes(&self) -> impl Iterator<Item = &PlannedChange> {
        let unattempted = self.planned.iter().filter(|_| self.applied.is_empty());
        unattempted.chain(self.applied.iter().map(|a| &a.change))
    }
}

/// How a cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CycleOutcome {
    /// Every planned change was attempted; `applied` says how each went.
    Completed,
    /// The host stopped while applying; the next cycle re-read the observed
    /// state and planned again from it.
    Interrupted,
}

/// How one shadow policy's cycle compared with what was applied: the
/// changes it would have made (held to the guard as if granted every kind
/// it declares) beside the applied ones of those kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShadowRecord {
    pub policy: String,
    #[serde(flatten)]
    pub changes: Comparison,
    /// Its decisions the guard would have rejected, in words.
    #[serde(default)]
    pub rejected: Vec<String>,
}

impl ShadowRecord {
    /// The comparison in words: "2 same as applied, 1 only the shadow's, …".
    pub fn summary(&self) -> String {
        let changes = &self.changes;
        format!(
            "{} same as applied, {} only the shadow's, {} only applied, {} rejected",
            changes.same.len(),
            changes.only_candidate.len(),
            changes.only_live.len(),
            self.rejected.len()
        )
    }
}

/// One policy's evaluation in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRecord {
    pub policy: String,
    /// A shadow policy: evaluated and compared, never applied.
    #[serde(default)]
    pub shadow: bool,
    pub decisions: Vec<DecisionRecord>,
    /// Why the evaluation failed, when it did.
    #[serde(default)]
    pub error: Option<String>,
}

/// One decision as a policy made it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    /// The target as an operator names it; `None` for a row outside the snapshot.
    pub target: Option<String>,
    /// What it sets ("ratio 20").
    pub action: String,
    pub reason: String,
}

impl DecisionRecord {
    pub fn new(snapshot: &Snapshot, decision: &Decision) -> DecisionRecord {
        DecisionRecord {
            target: Target::of(snapshot, &decision.action).map(|t| t.to_string()),
            action: action_value(&decision.action),
            reason: decision.reason.to_string(),
        }
    }
}

/// One action the guard rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectionRecord {
    pub policy: String,
    pub target: Option<String>,
    pub action: String,
    pub rule: String,
    pub detail: String,
}

/// How a guard rail shortened one accepted action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldBackRecord {
    pub policy: String,
    pub target: String,
    pub rule: String,
    /// The values, in words ("ratio 1 → 84 limited to a step of 10 …: 11").
    pub detail: String,
}

impl HeldBackRecord {
    /// One record per rail that shortened `accepted`.
    pub fn of(accepted: &Accepted) -> impl Iterator<Item = HeldBackRecord> + '_ {
        accepted.clamps.iter().map(|clamp| HeldBackRecord {
            policy: accepted.policy.clone(),
            target: accepted.target.to_string(),
            rule: clamp.rule.name().to_owned(),
            detail: clamp.detail.clone(),
        })
    }
}

impl From<&Rejection> for RejectionRecord {
    fn from(rejection: &Rejection) -> Self {
        RejectionRecord {
            policy: rejection.policy.clone(),
            target: rejection.target.as_ref().map(|t| t.to_string()),
            action: action_value(&rejection.decision.action),
            rule: rejection.rule.name().to_owned(),
            detail: rejection.detail.clone(),
        }
    }
}

/// A planned change and how applying it went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedRecord {
    pub change: PlannedChange,
    /// `None` when it was applied; otherwise the actuator's error.
    #[serde(default)]
    pub error: Option<String>,
}

/// A snapshot's JSON form, as its digest and its recording are made from.
pub fn snapshot_json(snapshot: &Snapshot) -> Vec<u8> {
    serde_json::to_vec(snapshot).expect("a snapshot serializes to JSON")
}

/// SHA-256 of the snapshot's JSON form ([`snapshot_json`]), in hex: the
/// same inputs give the same digest, so two cycles that saw the same cluster
/// are recognisable.
pub fn inputs_digest(snapshot_json: &[u8]) -> String {
    hex::encode(Sha256::digest(snapshot_json))
}

/// A `--since` that is neither a time nor a duration.
#[derive(Debug, thiserror::Error)]
#[error("--since {text:?}: neither an RFC 3339 time nor a duration ({source})")]
pub struct SinceError {
    text: String,
    /// Why it is not a duration.
    #[source]
    source: humantime::DurationError,
}

/// Parse `--since`: an RFC 3339 time ("2026-11-22T16:00:00Z") or a duration
/// before `now` ("90s", "15m", "2h 30m"); gives ms since the Unix epoch.
pub fn parse_since(text: &str, now: SystemTime) -> Result<u64, SinceError> {
    let at = match humantime::parse_rfc3339_weak(text) {
        Ok(at) => at,
        Err(_) => {
            let ago = humantime::parse_duration(text).map_err(|source| SinceError {
                text: text.to_owned(),
                source,
            })?;
            now.checked_sub(ago).unwrap_or(UNIX_EPOCH)
        }
    };
    Ok(millis(at))
}

fn millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Write the audit records since `since` (see [`parse_since`]) to `out`:
/// one JSON object per line with `json`, else a readable summary per cycle.
pub fn print_audit(
    store: &dyn ReadAudit,
    since: Option<&str>,
    json: bool,
    now: SystemTime,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let since_ms = since.map(|s| parse_since(s, now)).transpose()?;
    for record in store.audit_since(since_ms)? {
        if json {
            writeln!(out, "{}", serde_json::to_string(&record)?)?;
        } else {
            out.write_all(render(&record).as_bytes())?;
        }
    }
    Ok(())
}

/// One record for people: a header line, then one line per fact.
pub fn render(record: &AuditRecord) -> String {
    let at = humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(record.at_ms));
    let outcome = match record.outcome {
        CycleOutcome::Completed => "completed",
        CycleOutcome::Interrupted => "interrupted",
    };
    let digest = record
        .inputs_digest
        .get(..12)
        .unwrap_or(&record.inputs_digest);
    let by = match &record.replica {
        Some(replica) => format!(", applied by {}", crate::observe::neutralize(replica)),
        None => String::new(),
    };
    let mut text = format!(
        "cycle {} at {at}: {outcome}, inputs {digest}{by}\n",
        record.cycle
    );
    // Reasons, errors and target names come from outside the host: each
    // line's body is neutralised, so none can break or forge a line.
    let mut line = |label: &str, body: String| {
        text.push_str(&format!(
            "  {label:<9} {}\n",
            crate::observe::neutralize(&body)
        ));
    };
    for policy in &record.policies {
        let name = match policy.shadow {
            true => format!("shadow {}", policy.policy),
            false => format!("policy {}", policy.policy),
        };
        if let Some(error) = &policy.error {
            line("failed", format!("{name}: {error}"));
        }
        for d in &policy.decisions {
            let target = d.target.as_deref().unwrap_or("(no such target)");
            line(
                "decided",
                format!("{name}: {} on {target}: {}", d.action, d.reason),
            );
        }
    }
    for r in &record.rejections {
        let target = r.target.as_deref().unwrap_or("(no such target)");
        line(
            "rejected",
            format!(
                "policy {}: {} on {target} by {}: {}",
                r.policy, r.action, r.rule, r.detail
            ),
        );
    }
    for h in &record.held_back {
        line(
            "held back",
            format!(
                "policy {} on {} by {}: {}",
                h.policy, h.target, h.rule, h.detail
            ),
        );
    }
    for p in record.planned_changes() {
        line("planned", format!("{} (policy {})", p.change, p.policy));
    }
    for a in &record.applied {
        match &a.error {
            None => line("applied", a.change.change.to_string()),
            Some(error) => line("not done", format!("{}: {error}", a.change.change)),
        }
    }
    for error in &record.errors {
        line("error", error.clone());
    }
    for shadow in &record.shadows {
        line("shadow", format!("{}: {}", shadow.policy, shadow.summary()));
        for change in &shadow.changes.only_candidate {
            line("shadow +", format!("{}: {change}", shadow.policy));
        }
        for change in &shadow.changes.only_live {
            line("shadow -", format!("{}: {change}", shadow.policy));
        }
    }
    text
}
