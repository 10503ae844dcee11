//! Conflicts between policies: when several propose the same kind of change
//! on the same target in one cycle, the policy with the higher declared
//! priority wins, and between equal priorities the one listed first in the
//! configuration. The losers are rejected as superseded, naming the winner.

use std::collections::HashMap;

use super::outcome::{Rejection, Rule};
use super::target::{Target, action_value, conflict_key};
use crate::model::Decision;

/// A granted decision of one policy, waiting for conflicts to be resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub policy: String,
    pub priority: i32,
    pub target: Target,
    pub decision: Decision,
}

/// Decisions that won their target, in priority order, and those superseded.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub winners: Vec<Candidate>,
    pub superseded: Vec<Rejection>,
}

/// Resolve conflicts among `candidates`, given in configuration order (each
/// policy's decisions in the order it returned them).
pub fn resolve_conflicts(mut candidates: Vec<Candidate>) -> Resolved {
    // Stable: equal priorities keep configuration order.
    candidates.sort_by_key(|c| std::cmp::Reverse(c.priority));
    let mut taken: HashMap<_, usize> = HashMap::new();
    let mut winners: Vec<Candidate> = Vec::new();
    let mut superseded = Vec::new();
    for candidate in candidates {
        let key = conflict_key(&candidate.decision.action);
        match taken.get(&key) {
            Some(&winner) => {
                let winner = &winners[winner];
                superseded.push(Rejection {
                    detail: format!(
                        "policy {} (priority {}) sets {} on the same target",
                        winner.policy,
                        winner.priority,
                        action_value(&winner.decision.action)
                    ),
                    policy: candidate.policy,
                    target: Some(candidate.target),
                    decision: candidate.decision,
                    rule: Rule::Superseded,
                });
            }
            None => {
                taken.insert(key, winners.len());
                winners.push(candidate);
            }
        }
    }
    Resolved {
        winners,
        superseded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Action;

    fn candidate(policy: &str, priority: i32, member: u32, ratio: u32) -> Candidate {
        Candidate {
            policy: policy.into(),
            priority,
            target: Target::Member {
                pool: "mlPool".into(),
                member: format!("n{member}:8080"),
            },
            decision: Decision {
                action: Action::SetMemberRatio { member, ratio },
                reason: "test".into(),
            },
        }
    }

    #[test]
    fn higher_priority_wins_and_ties_go_to_the_first_listed() {
        let resolved = resolve_conflicts(vec![
            candidate("low", 1, 0, 10),
            candidate("first", 5, 1, 20),
            candidate("high", 9, 0, 30),
            candidate("second", 5, 1, 40),
            candidate("low", 1, 2, 50),
        ]);
        let winners: Vec<(&str, u32)> = resolved
            .winners
            .iter()
            .map(|c| (c.policy.as_str(), conflict_key(&c.decision.action).1))
            .collect();
        assert_eq!(winners, vec![("high", 0), ("first", 1), ("low", 2)]);
        let losers: Vec<String> = resolved.superseded.iter().map(|r| r.to_string()).collect();
        assert_eq!(
            losers,
            vec![
                "policy second: ratio 40 on pool mlPool member n1:8080 rejected by superseded: \
                 policy first (priority 5) sets ratio 20 on the same target",
                "policy low: ratio 10 on pool mlPool member n0:8080 rejected by superseded: \
                 policy high (priority 9) sets ratio 30 on the same target",
            ]
        );
    }

    #[test]
    fn different_kinds_on_one_member_do_not_conflict() {
        let mut state = candidate("b", 1, 0, 10);
        state.decision.action = Action::SetMemberState {
            member: 0,
            state: crate::model::MemberState::Disabled,
        };
        let resolved = resolve_conflicts(vec![candidate("a", 1, 0, 10), state]);
        assert_eq!(resolved.winners.len(), 2);
        assert!(resolved.superseded.is_empty());
    }
}
