//! Setting two sets of changes side by side: what a candidate policy (a
//! shadow, or one replayed on recorded cycles) would have changed against
//! what the live policies did change, on the same snapshot.

use serde::{Deserialize, Serialize};

use super::Change;

/// How a candidate's changes compare with the live ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Changes both made, alike.
    pub same: Vec<Change>,
    /// Changes only the candidate would have made, or would have made with
    /// another value (the live value is then under `only_live`).
    pub only_candidate: Vec<Change>,
    /// Changes the live policies made that the candidate would not have.
    pub only_live: Vec<Change>,
}

impl Comparison {
    /// Compare `candidate` with `live`; each live change matches at most one
    /// candidate change.
    pub fn of(candidate: impl IntoIterator<Item = Change>, mut live: Vec<Change>) -> Comparison {
        let mut comparison = Comparison::default();
        for change in candidate {
            match live.iter().position(|l| *l == change) {
                Some(at) => comparison.same.push(live.remove(at)),
                None => comparison.only_candidate.push(change),
            }
        }
        comparison.only_live = live;
        comparison
    }

    /// True when the candidate would have changed exactly what was changed.
    pub fn agrees(&self) -> bool {
        self.only_candidate.is_empty() && self.only_live.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratio(member: &str, to: u32) -> Change {
        Change::MemberRatio {
            pool: "mlPool".into(),
            member: member.into(),
            from: 10,
            to,
        }
    }

    #[test]
    fn alike_changes_match_and_the_rest_is_listed_by_side() {
        let comparison = Comparison::of(
            [ratio("a", 20), ratio("b", 30), ratio("c", 5)],
            vec![ratio("a", 20), ratio("b", 40), ratio("d", 1)],
        );
        assert_eq!(comparison.same, [ratio("a", 20)]);
        assert_eq!(comparison.only_candidate, [ratio("b", 30), ratio("c", 5)]);
        assert_eq!(comparison.only_live, [ratio("b", 40), ratio("d", 1)]);
        assert!(!comparison.agrees());
        assert!(Comparison::of([ratio("a", 1)], vec![ratio("a", 1)]).agrees());
    }
}
