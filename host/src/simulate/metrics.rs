//! What a run measures about its requests: each node's requests as it
//! finishes or loses them ([`Tally`]), gathered into the run's latency
//! histograms and its per-minute record ([`Metrics`]). Requests are counted
//! by the minute they arrived in.

use super::batching::{Job, Sink};
use super::histogram::Histogram;

/// A request that produced all its tokens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Served {
    pub arrival_s: f64,
    /// Time to first token, s.
    pub ttft_s: f64,
    /// Time waiting for a replica, s.
    pub queue_s: f64,
}

/// One node's finished and lost requests over a stretch of time.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub served: Vec<Served>,
    /// Arrival times of lost requests.
    pub failed: Vec<f64>,
}

impl Sink for Tally {
    fn served(&mut self, job: &Job, _at_s: f64) {
        self.served.push(Served {
            arrival_s: job.arrival_s,
            ttft_s: job.first_token_s - job.arrival_s,
            queue_s: job.admitted_s - job.arrival_s,
        });
    }

    fn failed(&mut self, job: &Job) {
        self.failed.push(job.arrival_s);
    }
}

/// One minute of arrivals.
#[derive(Debug, Clone, Default)]
pub struct Minute {
    pub arrivals: u64,
    /// Requests that got their first token within the SLO.
    pub met: u64,
    pub ttft: Histogram,
}

impl Minute {
    /// The share of the minute's requests that met the SLO; 1 with none.
    pub fn attainment(&self) -> f64 {
        if self.arrivals == 0 {
            1.0
        } else {
            self.met as f64 / self.arrivals as f64
        }
    }
}

/// Everything a run measured about its requests.
#[derive(Debug, Clone)]
pub struct Metrics {
    slo_s: f64,
    pub ttft: Histogram,
    pub queue: Histogram,
    pub minutes: Vec<Minute>,
    pub served: u64,
    pub failed: u64,
    /// Requests still held when the run ended.
    pub unfinished: u64,
    /// Served requests whose first token came within the SLO.
    pub goodput: u64,
}

impl Metrics {
    /// Measure against a time-to-first-token target of `slo_s`.
    pub fn new(slo_s: f64) -> Metrics {
        Metrics {
            slo_s,
            ttft: Histogram::default(),
            queue: Histogram::default(),
            minutes: Vec::new(),
            served: 0,
            failed: 0,
            unfinished: 0,
            goodput: 0,
        }
    }

    fn minute(&mut self, arrival_s: f64) -> &mut Minute {
        let index = (arrival_s / 60.0).max(0.0) as usize;
        if self.minutes.len() <= index {
            self.minutes.resize_with(index + 1, Minute::default);
        }
        &mut self.minutes[index]
    }

    /// Count what `tally` holds.
    pub fn absorb(&mut self, tally: &Tally) {
        for served in &tally.served {
            self.ttft.record(served.ttft_s);
            self.queue.record(served.queue_s);
            let met = served.ttft_s <= self.slo_s;
            self.served += 1;
            self.goodput += u64::from(met);
            let minute = self.minute(served.arrival_s);
            minute.arrivals += 1;
            minute.met += u64::from(met);
            minute.ttft.record(served.ttft_s);
        }
        for &arrival_s in &tally.failed {
            self.failed += 1;
            self.minute(arrival_s).arrivals += 1;
        }
    }

    /// Count `job`, still held at `end_s`: it met the SLO if its first token
    /// came in time, or if it has not waited past the SLO yet.
    pub fn unfinished(&mut self, job: &Job, end_s: f64) {
        self.unfinished += 1;
        let slo_s = self.slo_s;
        let met = if job.first_token_s.is_nan() {
            end_s - job.arrival_s <= slo_s
        } else {
            let ttft = job.first_token_s - job.arrival_s;
            self.ttft.record(ttft);
            ttft <= slo_s
        };
        let minute = self.minute(job.arrival_s);
        minute.arrivals += 1;
        minute.met += u64::from(met);
    }

    /// Requests counted, all told.
    pub fn requests(&self) -> u64 {
        self.served + self.failed + self.unfinished
    }

    /// The share of all requests that met the SLO.
    pub fn attainment(&self) -> f64 {
        let met: u64 = self.minutes.iter().map(|m| m.met).sum();
        match self.requests() {
            0 => 1.0,
            n => met as f64 / n as f64,
        }
    }

    /// Minutes (of `minutes` in all) in which fewer than `attainment` of the
    /// requests met the SLO.
    pub fn violation_minutes(&self, attainment: f64) -> u64 {
        self.minutes
            .iter()
            .filter(|m| m.attainment() < attainment)
            .count() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(arrival: f64, ttft: f64) -> Job {
        Job {
            arrival_s: arrival,
            admitted_s: arrival,
            first_token_s: arrival + ttft,
            prompt_tokens: 1,
            output_tokens: 1,
        }
    }

    #[test]
    fn requests_count_in_the_minute_they_arrived() {
        let mut tally = Tally::default();
        tally.served(&job(10.0, 0.5), 11.0);
        tally.served(&job(70.0, 5.0), 80.0);
        tally.failed(&job(75.0, 0.0));
        let mut metrics = Metrics::new(2.0);
        metrics.absorb(&tally);
        metrics.unfinished(&Job::new(130.0, 1, 1), 131.0);
        metrics.unfinished(&Job::new(121.0, 1, 1), 131.0);
        assert_eq!(
            (
                metrics.served,
                metrics.failed,
                metrics.unfinished,
                metrics.goodput
            ),
            (2, 1, 2, 1)
        );
        assert_eq!(metrics.minutes.len(), 3);
        assert_eq!(metrics.minutes[0].attainment(), 1.0);
        assert_eq!(
            (metrics.minutes[1].arrivals, metrics.minutes[1].met),
            (2, 0)
        );
        assert_eq!(
            (metrics.minutes[2].arrivals, metrics.minutes[2].met),
            (2, 1)
        );
        assert_eq!(metrics.violation_minutes(0.99), 2);
        assert!((metrics.attainment() - 2.0 / 5.0).abs() < 1e-12);
    }
}
