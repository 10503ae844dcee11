//! The load: requests arriving in virtual time, from a trace scaled by a
//! factor or from a synthetic process, drawn from a seeded generator so the
//! same seed gives the same requests.
//!
//! - A trace scaled by `f` stands each request for ⌊f⌋ copies, plus one more
//!   with probability f − ⌊f⌋ (so 0.5 keeps about half); each copy arrives at
//!   the request's time plus a uniform jitter in `[0, jitter)`, so copies do
//!   not arrive together. The load's shape over time and its token counts
//!   are the trace's.
//! - Synthetic load is a Poisson process whose rate is `rate`, shaped by a
//!   diurnal sine (`rate × (1 + amplitude × sin …)`, highest at `peak`) and
//!   multiplied by `factor` during each burst; it is drawn by thinning (Lewis
//!   and Shedler, 1979). Prompt and output tokens are fixed, or drawn from
//!   exponential distributions with the given means (at least one token).

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::batching::Job;
use super::trace::Request;

/// A synthetic arrival process.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    /// Mean arrival rate, requests/s.
    pub rate_rps: f64,
    /// Diurnal swing, 0..1 (0: a plain Poisson process).
    pub amplitude: f64,
    pub period_s: f64,
    /// When in the period the rate peaks, s.
    pub peak_s: f64,
    pub bursts: Vec<Burst>,
    pub prompt: Tokens,
    pub output: Tokens,
}

/// A stretch of time when the rate is multiplied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    pub at_s: f64,
    pub duration_s: f64,
    pub factor: f64,
}

/// How many tokens a synthetic request has.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tokens {
    Fixed(u32),
    /// Exponential with this mean, rounded, at least 1.
    Exponential(f64),
}

impl Tokens {
    fn draw(self, rng: &mut StdRng) -> u32 {
        match self {
            Tokens::Fixed(n) => n,
            Tokens::Exponential(mean) => {
                let u: f64 = rng.random();
                ((-mean * (1.0 - u).ln()).round() as u32).max(1)
            }
        }
    }
}

impl Synthetic {
    /// The rate at `t_s`, requests/s.
    pub fn rate_at(&self, t_s: f64) -> f64 {
        let phase = std::f64::consts::TAU * (t_s - self.peak_s) / self.period_s;
        let diurnal = 1.0 + self.amplitude * phase.cos();
        let burst: f64 = self
            .bursts
            .iter()
            .filter(|b| (b.at_s..b.at_s + b.duration_s).contains(&t_s))
            .map(|b| b.factor)
            .product();
        self.rate_rps * diurnal * burst
    }

    fn max_rate(&self) -> f64 {
        let bursts: f64 = self.bursts.iter().map(|b| b.factor.max(1.0)).product();
        self.rate_rps * (1.0 + self.amplitude) * bursts
    }
}

/// Requests in arrival order, handed out a stretch of time at a time.
pub enum Arrivals {
    Replay {
        jobs: Vec<Job>,
        next: usize,
    },
    Synthetic {
        process: Synthetic,
        rng: Box<StdRng>,
        /// The next candidate arrival, s.
        candidate_s: f64,
    },
}

impl Arrivals {
    /// `trace` scaled by `scale`, copies jittered within `jitter_s`.
    pub fn replay(trace: &[Request], scale: f64, jitter_s: f64, seed: u64) -> Arrivals {
        let mut rng = StdRng::seed_from_u64(seed);
        let whole = scale.floor();
        let mut jobs = Vec::with_capacity((trace.len() as f64 * scale.ceil()) as usize);
        for request in trace {
            let extra = rng.random::<f64>() < scale - whole;
            for _ in 0..whole as u64 + u64::from(extra) {
                let at = request.at_s + jitter_s * rng.random::<f64>();
                jobs.push(Job::new(at, request.prompt_tokens, request.output_tokens));
            }
        }
        jobs.sort_by(|a, b| a.arrival_s.total_cmp(&b.arrival_s));
        Arrivals::Replay { jobs, next: 0 }
    }

    /// The synthetic `process`, drawn with `seed`.
    pub fn synthetic(process: Synthetic, seed: u64) -> Arrivals {
        let mut rng = Box::new(StdRng::seed_from_u64(seed));
        let candidate_s = gap(&mut rng, process.max_rate());
        Arrivals::Synthetic {
            process,
            rng,
            candidate_s,
        }
    }

    /// Append the requests arriving before `until_s`, in order.
    pub fn take_until(&mut self, until_s: f64, out: &mut Vec<Job>) {
        match self {
            Arrivals::Replay { jobs, next } => {
                let end = *next + jobs[*next..].partition_point(|j| j.arrival_s < until_s);
                out.extend_from_slice(&jobs[*next..end]);
                *next = end;
            }
            Arrivals::Synthetic {
                process,
                rng,
                candidate_s,
            } => {
                let max = process.max_rate();
                while *candidate_s < until_s {
                    let at = *candidate_s;
                    if rng.random::<f64>() * max < process.rate_at(at) {
                        let prompt = process.prompt.draw(rng);
                        let output = process.output.draw(rng);
                        out.push(Job::new(at, prompt, output));
                    }
                    *candidate_s += gap(rng, max);
                }
            }
        }
    }
}

/// An exponential gap at `rate` per second.
fn gap(rng: &mut StdRng, rate: f64) -> f64 {
    if rate <= 0.0 {
        return f64::INFINITY;
    }
    let u: f64 = rng.random();
    -(1.0 - u).ln() / rate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poisson(rate: f64) -> Synthetic {
        Synthetic {
            rate_rps: rate,
            amplitude: 0.0,
            period_s: 86_400.0,
            peak_s: 0.0,
            bursts: Vec::new(),
            prompt: Tokens::Fixed(100),
            output: Tokens::Exponential(50.0),
        }
    }

    fn all(arrivals: &mut Arrivals, until: f64) -> Vec<Job> {
        let mut out = Vec::new();
        arrivals.take_until(until, &mut out);
        out
    }

    #[test]
    fn a_poisson_process_has_its_rate_and_same_seed_same_requests() {
        let jobs = all(&mut Arrivals::synthetic(poisson(20.0), 7), 1_000.0);
        let rate = jobs.len() as f64 / 1_000.0;
        assert!((rate - 20.0).abs() < 0.5, "{rate}");
        assert!(jobs.windows(2).all(|w| w[0].arrival_s <= w[1].arrival_s));
        let mean = jobs.iter().map(|j| f64::from(j.output_tokens)).sum::<f64>() / jobs.len() as f64;
        assert!((mean - 50.0).abs() < 2.0, "{mean}");
        let mut again = Arrivals::synthetic(poisson(20.0), 7);
        let mut pieces = Vec::new();
        again.take_until(400.0, &mut pieces);
        again.take_until(1_000.0, &mut pieces);
        let key = |jobs: &[Job]| -> Vec<(f64, u32, u32)> {
            jobs.iter()
                .map(|j| (j.arrival_s, j.prompt_tokens, j.output_tokens))
                .collect()
        };
        assert_eq!(
            key(&pieces),
            key(&jobs),
            "taken in pieces or at once, the same requests"
        );
        let other = all(&mut Arrivals::synthetic(poisson(20.0), 8), 1_000.0);
        assert_ne!(key(&other), key(&jobs));
    }

    #[test]
    fn bursts_and_the_diurnal_swing_shape_the_rate() {
        let shaped = Synthetic {
            amplitude: 0.5,
            period_s: 1_000.0,
            peak_s: 250.0,
            bursts: vec![Burst {
                at_s: 600.0,
                duration_s: 100.0,
                factor: 3.0,
            }],
            ..poisson(10.0)
        };
        assert!((shaped.rate_at(250.0) - 15.0).abs() < 1e-9);
        assert!((shaped.rate_at(750.0) - 5.0).abs() < 1e-9);
        assert!(
            (shaped.rate_at(650.0) / (10.0 * (1.0 + 0.5 * (0.8 * std::f64::consts::PI).cos()))
                - 3.0)
                .abs()
                < 1e-9
        );
        let jobs = all(&mut Arrivals::synthetic(shaped, 1), 1_000.0);
        let count = |from: f64, to: f64| {
            jobs.iter()
                .filter(|j| (from..to).contains(&j.arrival_s))
                .count()
        };
        assert!(count(200.0, 300.0) > 2 * count(700.0, 800.0));
    }

    #[test]
    fn a_scaled_trace_keeps_its_shape() {
        let trace: Vec<Request> = (0..1_000)
            .map(|i| Request {
                at_s: f64::from(i),
                prompt_tokens: 10,
                output_tokens: 5,
            })
            .collect();
        let jobs = all(&mut Arrivals::replay(&trace, 2.5, 1.0, 3), 2_000.0);
        assert!((2_400..2_600).contains(&jobs.len()), "{}", jobs.len());
        assert!(jobs.windows(2).all(|w| w[0].arrival_s <= w[1].arrival_s));
        let thinned = all(&mut Arrivals::replay(&trace, 0.5, 1.0, 3), 2_000.0);
        assert!((400..600).contains(&thinned.len()));
    }
}
