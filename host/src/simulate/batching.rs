//! One replica serving with continuous batching, in virtual time.
//!
//! A request admitted to the replica (its prompt and output tokens reserved
//! in the KV cache) waits for its prefill; prefills run one after another,
//! first come first served, and take priority over decoding (vLLM's default
//! scheduler without chunked prefill), so while one runs the batch makes no
//! progress. A finished prefill yields the request's first token — its time
//! to first token — and the request joins the decode batch, where every
//! step yields one more token for each request in the batch
//! (iteration-level scheduling, Yu et al., "Orca", OSDI 2022). A request
//! leaves when it has all its output tokens, freeing its KV reservation.
//!
//! Decode is followed as a count of steps rather than token by token: every
//! request in the batch advances by the same number of steps, so a request
//! finishes when the replica's step count reaches the count at which it
//! joined plus its remaining tokens. The step time depends on the batch and
//! the KV it holds; it is recomputed whenever the batch changes and held
//! between those events. Nothing here sleeps or reads a clock: the replica
//! is told the time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::replica::ReplicaSpec;

/// A request on its way through a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Job {
    /// Arrival at the load balancer, s.
    pub arrival_s: f64,
    /// Admission to a replica, s (NaN until then).
    pub admitted_s: f64,
    /// First token, s (NaN until then).
    pub first_token_s: f64,
    pub prompt_tokens: u32,
    pub output_tokens: u32,
}

impl Job {
    pub fn new(arrival_s: f64, prompt_tokens: u32, output_tokens: u32) -> Job {
        Job {
            arrival_s,
            admitted_s: f64::NAN,
            first_token_s: f64::NAN,
            prompt_tokens,
            output_tokens,
        }
    }

    /// KV tokens it reserves.
    pub fn kv_tokens(&self) -> u64 {
        u64::from(self.prompt_tokens) + u64::from(self.output_tokens)
    }
}

/// Where finished and failed requests go.
pub trait Sink {
    /// `job` produced all its tokens at `at_s`.
    fn served(&mut self, job: &Job, at_s: f64);
    /// `job` was lost (its replica or node failed, or nothing could serve it).
    fn failed(&mut self, job: &Job);
}

/// Steps are compared as the bits of non-negative floats.
type StepKey = u64;

fn key(steps: f64) -> StepKey {
    steps.max(0.0).to_bits()
}

/// A decode step count within this many steps of a target has reached it.
const STEP_EPSILON: f64 = 1e-6;

/// One replica's state.
#[derive(Debug, Clone)]
pub struct Replica {
    pub spec: ReplicaSpec,
    alive: bool,
    /// (prefill, decode) speed factors; 1 at full speed.
    slowdown: (f64, f64),
    /// The time the state below is settled to, s.
    now: f64,
    /// Admitted, waiting for or in prefill; the head is in progress.
    prefill: VecDeque<Job>,
    /// Tokens of the head's prefill still to compute.
    prefill_left: f64,
    /// Decoding requests by the step count at which they finish.
    batch: BinaryHeap<Reverse<(StepKey, usize)>>,
    /// The decoding requests, by slot; freed slots are reused.
    decoding: Vec<Option<Job>>,
    free_slots: Vec<usize>,
    /// Decode steps taken so far.
    steps: f64,
    /// Σ (prompt + 1 − steps at joining) over the batch, so the KV it holds
    /// is this plus batch size × steps.
    kv_base: f64,
    kv_reserved: u64,
    step_s: f64,
    /// Busy seconds since each reader last took them.
    busy_s: [f64; 2],
}

/// The busy-time readers: the thermal model and the telemetry.
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    Thermal = 0,
    Telemetry = 1,
}

impl Replica {
    pub fn new(spec: ReplicaSpec) -> Replica {
        Replica {
            spec,
            alive: true,
            slowdown: (1.0, 1.0),
            now: 0.0,
            prefill: VecDeque::new(),
            prefill_left: 0.0,
            batch: BinaryHeap::new(),
            decoding: Vec::new(),
            free_slots: Vec::new(),
            steps: 0.0,
            kv_base: 0.0,
            kv_reserved: 0,
            step_s: 0.0,
            busy_s: [0.0; 2],
        }
    }

    #[cfg(test)]
    pub fn alive(&self) -> bool {
        self.alive
    }

    /// Requests admitted and not finished.
    pub fn outstanding(&self) -> usize {
        self.prefill.len() + self.batch.len()
    }

    /// Requests admitted whose prefill has not finished.
    pub fn prefilling(&self) -> usize {
        self.prefill.len()
    }

    pub fn kv_reserved(&self) -> u64 {
        self.kv_reserved
    }

    /// The requests it holds, admitted and not finished.
    pub fn held(&self) -> impl Iterator<Item = &Job> {
        self.prefill.iter().chain(self.decoding.iter().flatten())
    }

    /// Whether `job` could ever fit this replica's KV cache.
    pub fn could_hold(&self, job: &Job) -> bool {
        self.alive && job.kv_tokens() <= self.spec.kv_tokens
    }

    /// Whether `job` can be admitted now.
    pub fn has_room(&self, job: &Job) -> bool {
        self.alive
            && self.outstanding() < self.spec.max_batch as usize
            && self.kv_reserved + job.kv_tokens() <= self.spec.kv_tokens
    }

    /// Admit `job` at `now_s`; the caller checked [`Replica::has_room`].
    pub fn admit(&mut self, now_s: f64, mut job: Job) {
        self.settle(now_s);
        job.admitted_s = now_s;
        self.kv_reserved += job.kv_tokens();
        if self.prefill.is_empty() {
            self.prefill_left = f64::from(job.prompt_tokens);
        }
        self.prefill.push_back(job);
    }

    /// When the next prefill or decode completion happens, if any.
    pub fn next_event_s(&self) -> f64 {
        if !self.alive {
            f64::INFINITY
        } else if !self.prefill.is_empty() {
            self.now + self.prefill_left.max(0.0) / self.prefill_rate()
        } else if let Some(Reverse((target, _))) = self.batch.peek() {
            let left = f64::from_bits(*target) - self.steps;
            self.now + left.max(0.0) * self.step_s
        } else {
            f64::INFINITY
        }
    }

    /// Handle what happens at `now_s`, the time [`Replica::next_event_s`]
    /// gave: a prefill finishing, or requests finishing their decode.
    pub fn fire(&mut self, now_s: f64, sink: &mut dyn Sink) {
        self.settle(now_s);
        if !self.prefill.is_empty() {
            self.finish_prefill(now_s, sink);
        } else {
            self.finish_decodes(now_s, sink);
        }
        self.update_step();
    }

    /// Run at `slowdown` (prefill, decode) from `now_s` on.
    pub fn set_slowdown(&mut self, now_s: f64, slowdown: (f64, f64)) {
        if self.slowdown != slowdown {
            self.settle(now_s);
            self.slowdown = slowdown;
            self.update_step();
        }
    }

    /// The replica fails at `now_s` (a fatal XID, or its node is lost):
    /// every request it holds is lost and it takes no more.
    pub fn fail(&mut self, now_s: f64, sink: &mut dyn Sink) {
        self.settle(now_s);
        self.alive = false;
        for job in self.prefill.drain(..) {
            sink.failed(&job);
        }
        for job in self.decoding.drain(..).flatten() {
            sink.failed(&job);
        }
        self.batch.clear();
        self.free_slots.clear();
        self.kv_reserved = 0;
        self.kv_base = 0.0;
        self.prefill_left = 0.0;
    }

    /// The replica serves again from `now_s` (its GPU was reset).
    pub fn recover(&mut self, now_s: f64) {
        self.settle(now_s);
        self.alive = true;
    }

    /// Busy seconds since `reader` last took them.
    pub fn take_busy(&mut self, now_s: f64, reader: Reader) -> f64 {
        self.settle(now_s);
        std::mem::take(&mut self.busy_s[reader as usize])
    }

    /// Bring the state forward to `now_s`, when nothing happens before it.
    pub fn settle(&mut self, now_s: f64) {
        let dt = now_s - self.now;
        if dt <= 0.0 {
            return;
        }
        self.now = now_s;
        if !self.alive {
            return;
        }
        if !self.prefill.is_empty() {
            self.prefill_left -= dt * self.prefill_rate();
        } else if !self.batch.is_empty() {
            self.steps += dt / self.step_s;
        } else {
            return;
        }
        for busy in &mut self.busy_s {
            *busy += dt;
        }
    }

    fn prefill_rate(&self) -> f64 {
        self.spec.prefill_tokens_per_s * self.slowdown.0
    }

    fn finish_prefill(&mut self, now_s: f64, sink: &mut dyn Sink) {
        let Some(mut job) = self.prefill.pop_front() else {
            return;
        };
        job.first_token_s = now_s;
        if job.output_tokens <= 1 {
            self.kv_reserved -= job.kv_tokens();
            sink.served(&job, now_s);
        } else {
            let slot = match self.free_slots.pop() {
                Some(slot) => {
                    self.decoding[slot] = Some(job);
                    slot
                }
                None => {
                    self.decoding.push(Some(job));
                    self.decoding.len() - 1
                }
            };
            let target = self.steps + f64::from(job.output_tokens - 1);
            self.batch.push(Reverse((key(target), slot)));
            self.kv_base += f64::from(job.prompt_tokens) + 1.0 - self.steps;
        }
        self.prefill_left = self
            .prefill
            .front()
            .map_or(0.0, |next| f64::from(next.prompt_tokens));
    }

    fn finish_decodes(&mut self, now_s: f64, sink: &mut dyn Sink) {
        while let Some(&Reverse((target, slot))) = self.batch.peek() {
            let target = f64::from_bits(target);
            if target > self.steps + STEP_EPSILON {
                break;
            }
            self.batch.pop();
            // Close the float gap so the step count is exactly the target.
            self.steps = self.steps.max(target);
            if let Some(job) = self.decoding[slot].take() {
                self.free_slots.push(slot);
                self.kv_reserved -= job.kv_tokens();
                let joined = target - f64::from(job.output_tokens - 1);
                self.kv_base -= f64::from(job.prompt_tokens) + 1.0 - joined;
                sink.served(&job, now_s);
            }
        }
        if self.batch.is_empty() {
            self.kv_base = 0.0;
        }
    }

    fn update_step(&mut self) {
        let batch = self.batch.len();
        self.step_s = if batch == 0 {
            0.0
        } else {
            let kv = self.kv_base + batch as f64 * self.steps;
            self.spec.decode_step_s(batch, kv, self.slowdown.1)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::gpu::GpuKind;
    use crate::simulate::replica::ServedModel;

    #[derive(Default)]
    struct Log {
        served: Vec<(Job, f64)>,
        failed: Vec<Job>,
    }

    impl Sink for Log {
        fn served(&mut self, job: &Job, at_s: f64) {
            self.served.push((*job, at_s));
        }
        fn failed(&mut self, job: &Job) {
            self.failed.push(*job);
        }
    }

    fn h100() -> Replica {
        Replica::new(ReplicaSpec::new(&ServedModel::default(), GpuKind::H100, 1.0, 1.0).unwrap())
    }

    /// Fire events until none is left.
    fn drain(replica: &mut Replica, log: &mut Log) {
        loop {
            let at = replica.next_event_s();
            if !at.is_finite() {
                break;
            }
            replica.fire(at, log);
        }
    }

    #[test]
    fn one_request_takes_its_prefill_then_one_step_per_further_token() {
        let mut replica = h100();
        let mut log = Log::default();
        replica.admit(0.0, Job::new(0.0, 1_000, 101));
        drain(&mut replica, &mut log);
        let (job, done) = log.served[0];
        let prefill = 1_000.0 / replica.spec.prefill_tokens_per_s;
        assert!((job.first_token_s - prefill).abs() < 1e-12);
        let step = replica.spec.decode_step_s(1, 1_001.0, 1.0);
        // 100 steps at the step time of the batch as it joined (held until
        // the batch changes).
        let decode = done - job.first_token_s;
        assert!((decode / (100.0 * step) - 1.0).abs() < 1e-9, "{decode}");
        assert_eq!(replica.kv_reserved(), 0);
        assert_eq!(replica.outstanding(), 0);
    }

    #[test]
    fn a_batch_decodes_together_and_short_requests_leave_first() {
        let mut replica = h100();
        let mut log = Log::default();
        replica.admit(0.0, Job::new(0.0, 100, 50));
        replica.admit(0.0, Job::new(0.0, 100, 10));
        replica.admit(0.0, Job::new(0.0, 100, 1));
        drain(&mut replica, &mut log);
        let outputs: Vec<u32> = log.served.iter().map(|(j, _)| j.output_tokens).collect();
        assert_eq!(outputs, vec![1, 10, 50]);
        // Decoding 50 tokens beside others takes about as long as alone: the
        // step is memory-bound.
        let (long, done) = log.served[2];
        let alone = 49.0 * replica.spec.decode_step_s(1, 150.0, 1.0);
        assert!((done - long.first_token_s) < alone * 1.2);
    }

    #[test]
    fn prefill_pauses_decoding() {
        let mut replica = h100();
        let mut log = Log::default();
        replica.admit(0.0, Job::new(0.0, 10, 100));
        let first = replica.next_event_s();
        replica.fire(first, &mut log);
        let plain_finish = replica.next_event_s();
        replica.admit(first, Job::new(first, 50_000, 1));
        drain(&mut replica, &mut log);
        let long_prefill = 50_000.0 / replica.spec.prefill_tokens_per_s;
        let finished = log
            .served
            .iter()
            .find(|(j, _)| j.output_tokens == 100)
            .unwrap()
            .1;
        assert!(
            (finished - plain_finish - long_prefill).abs() < 1e-3,
            "{finished}"
        );
    }

    #[test]
    fn room_is_bounded_by_the_kv_cache_and_the_batch() {
        let mut replica = h100();
        let kv = replica.spec.kv_tokens;
        let big = Job::new(0.0, (kv / 2) as u32, 1);
        assert!(replica.has_room(&big));
        replica.admit(0.0, big);
        replica.admit(0.0, big);
        assert!(!replica.has_room(&Job::new(0.0, 10, 10)));
        assert!(!replica.could_hold(&Job::new(0.0, kv as u32, 1)));
    }

    #[test]
    fn a_failure_loses_every_request_held_and_slowdown_stretches_time() {
        let mut replica = h100();
        let mut log = Log::default();
        replica.admit(0.0, Job::new(0.0, 1_000, 100));
        replica.admit(0.0, Job::new(0.0, 1_000, 100));
        let at = replica.next_event_s();
        replica.fire(at, &mut log);
        replica.fail(at, &mut log);
        assert_eq!(log.failed.len(), 2);
        assert!(!replica.alive() && !replica.has_room(&Job::new(0.0, 1, 1)));
        assert_eq!(replica.next_event_s(), f64::INFINITY);

        let mut slow = h100();
        slow.set_slowdown(0.0, (0.5, 0.5));
        slow.admit(0.0, Job::new(0.0, 1_000, 1));
        let prefill = 1_000.0 / slow.spec.prefill_tokens_per_s;
        let done = slow.next_event_s();
        assert!((done - 2.0 * prefill).abs() < 1e-12);
        slow.fire(done, &mut log);
        assert!((slow.take_busy(1.0, Reader::Telemetry) - done).abs() < 1e-12);
    }
}
