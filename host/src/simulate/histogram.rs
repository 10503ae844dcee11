//! [`Histogram`]: latencies counted in buckets growing by 2 % from 1 ms, so
//! percentiles over millions of requests need no list of them, come out
//! within 2 % of the exact value, and — counts being whole numbers — do not
//! depend on the order requests were counted in.

/// Smallest latency told apart from zero, s.
const FLOOR_S: f64 = 1e-3;
/// Each bucket's upper bound is this factor times the previous one's.
const GROWTH: f64 = 1.02;
/// Buckets: up to `FLOOR_S × GROWTH^BUCKETS` ≈ 11 days.
const BUCKETS: usize = 1_100;

/// Counts of latencies by bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS + 1],
            total: 0,
        }
    }
}

impl Histogram {
    pub fn record(&mut self, seconds: f64) {
        let bucket = if seconds <= FLOOR_S {
            0
        } else {
            ((seconds / FLOOR_S).ln() / GROWTH.ln()).ceil() as usize
        };
        self.counts[bucket.min(BUCKETS)] += 1;
        self.total += 1;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    /// Add `other`'s counts.
    pub fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
    }

    /// The `q`-quantile (0..=1): the upper bound of the bucket holding it;
    /// `None` when nothing was recorded.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (bucket, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Some(FLOOR_S * GROWTH.powi(bucket as i32));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_two_percent() {
        let mut h = Histogram::default();
        for i in 1..=10_000 {
            h.record(f64::from(i) / 1_000.0);
        }
        for (q, exact) in [(0.5, 5.0), (0.9, 9.0), (0.99, 9.9)] {
            let got = h.quantile(q).unwrap();
            assert!(got >= exact && got <= exact * 1.02, "q{q}: {got}");
        }
        assert_eq!(h.count(), 10_000);
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn merging_adds_counts_in_any_order() {
        let (mut a, mut b) = (Histogram::default(), Histogram::default());
        a.record(0.0);
        a.record(1.0);
        b.record(100.0);
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert!(ab.quantile(1.0).unwrap() >= 100.0);
        assert!(ab.quantile(0.0).unwrap() <= FLOOR_S);
    }
}
