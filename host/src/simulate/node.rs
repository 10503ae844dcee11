//! One GPU node: its replicas (one per whole GPU, or one per MIG instance),
//! the node's own queue in front of them, its GPUs' temperatures and faults.
//!
//! Requests the load balancer sends the node wait in one first-come,
//! first-served queue and go to a replica with room for them (batch and KV
//! cache), the one with the fewest requests outstanding, ties to the lowest
//! GPU (a local router in front of the GPUs' servers; with one request per
//! replica at a time this is an M/G/c queue). A request that no live
//! replica could ever hold, or that arrives when none is alive, is lost.
//!
//! Every `tick` seconds each GPU's temperature moves towards what its busy
//! time asks ([`Thermal`]), and a GPU past the throttle point slows its
//! replicas down. Between those ticks, arrivals and the replicas' own events
//! are handled in time order; a node evolves independently of every other
//! node, which is what lets the fleet advance its nodes in parallel.

use std::collections::VecDeque;

use super::batching::{Job, Reader, Replica, Sink};
use super::gpu::{Cooling, THROTTLED_DECODE, THROTTLED_PREFILL, Thermal};
use super::scenario::NodeClass;

/// One GPU of the node.
#[derive(Debug, Clone)]
pub struct Gpu {
    pub thermal: Thermal,
    /// The last XID it reported; 0 when none.
    pub xid: u32,
    /// Whether that XID took it out of service.
    pub failed: bool,
    /// Its replicas, as rows of [`Node::replicas`].
    pub replicas: std::ops::Range<usize>,
    /// Busy share over the last telemetry interval, per replica.
    pub busy: Vec<f64>,
}

/// A node in service.
#[derive(Debug, Clone)]
pub struct Node {
    pub cooling: Cooling,
    pub gpus: Vec<Gpu>,
    pub replicas: Vec<Replica>,
    /// Each replica's next event, s.
    next: Vec<f64>,
    queue: VecDeque<Job>,
    lost: bool,
    tick_s: f64,
    next_tick_s: f64,
    /// When telemetry last read the busy times, s.
    read_s: f64,
}

impl Node {
    /// A node of `class` that starts serving at `now_s`; temperatures move
    /// every `tick_s` on a grid from time 0.
    pub fn new(class: &NodeClass, now_s: f64, tick_s: f64) -> Node {
        let mut gpus = Vec::new();
        let mut replicas = Vec::new();
        for _ in 0..class.gpus {
            let start = replicas.len();
            let specs: Vec<_> = match &class.mig {
                Some(slots) => slots.iter().map(|s| s.replica).collect(),
                None => class.replica.into_iter().collect(),
            };
            for spec in specs {
                let mut replica = Replica::new(spec);
                replica.settle(now_s);
                replicas.push(replica);
            }
            gpus.push(Gpu {
                thermal: Thermal::idle(class.cooling),
                xid: 0,
                failed: false,
                replicas: start..replicas.len(),
                busy: vec![0.0; replicas.len() - start],
            });
        }
        let next = vec![f64::INFINITY; replicas.len()];
        Node {
            cooling: class.cooling,
            gpus,
            replicas,
            next,
            queue: VecDeque::new(),
            lost: false,
            tick_s,
            next_tick_s: ((now_s / tick_s).floor() + 1.0) * tick_s,
            read_s: now_s,
        }
    }

    pub fn lost(&self) -> bool {
        self.lost
    }

    /// Requests held: queued at the node or admitted to a replica.
    pub fn outstanding(&self) -> usize {
        self.queue.len()
            + self
                .replicas
                .iter()
                .map(Replica::outstanding)
                .sum::<usize>()
    }

    /// The requests it holds, queued or admitted.
    pub fn held(&self) -> impl Iterator<Item = &Job> {
        self.queue
            .iter()
            .chain(self.replicas.iter().flat_map(Replica::held))
    }

    /// Requests that have not had their first token yet.
    pub fn waiting(&self) -> usize {
        self.queue.len() + self.replicas.iter().map(Replica::prefilling).sum::<usize>()
    }

    /// Handle everything up to `until_s`, with `arrivals` (in order, all
    /// before `until_s`).
    pub fn advance(&mut self, until_s: f64, arrivals: &[Job], sink: &mut dyn Sink) {
        let mut arrivals = arrivals.iter().peekable();
        loop {
            let (replica, replica_at) =
                self.next
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f64::INFINITY),
                        |best, (i, &at)| if at < best.1 { (i, at) } else { best },
                    );
            let arrival_at = arrivals.peek().map_or(f64::INFINITY, |a| a.arrival_s);
            let tick_at = if self.lost {
                f64::INFINITY
            } else {
                self.next_tick_s
            };
            let at = replica_at.min(arrival_at).min(tick_at);
            if at >= until_s {
                break;
            }
            // At a tie, finishing work comes first (it frees room), then the
            // temperatures, then the arrival.
            if replica_at == at {
                self.replicas[replica].fire(at, sink);
                self.next[replica] = self.replicas[replica].next_event_s();
                self.dispatch(at, sink);
            } else if tick_at == at {
                self.tick(at);
            } else if let Some(job) = arrivals.next() {
                self.arrive(*job, sink);
            }
        }
    }

    fn arrive(&mut self, job: Job, sink: &mut dyn Sink) {
        if self.lost || !self.replicas.iter().any(|r| r.could_hold(&job)) {
            sink.failed(&job);
            return;
        }
        self.queue.push_back(job);
        self.dispatch(job.arrival_s, sink);
    }

    /// Start queued requests, in order, while a replica has room.
    fn dispatch(&mut self, now_s: f64, sink: &mut dyn Sink) {
        while let Some(job) = self.queue.front() {
            let best = self
                .replicas
                .iter()
                .enumerate()
                .filter(|(_, r)| r.has_room(job))
                .min_by_key(|(i, r)| (r.outstanding(), *i))
                .map(|(i, _)| i);
            match best {
                Some(i) => {
                    let job = self.queue.pop_front().expect("the queue has a front");
                    self.replicas[i].admit(now_s, job);
                    self.next[i] = self.replicas[i].next_event_s();
                }
                None if !self.replicas.iter().any(|r| r.could_hold(job)) => {
                    // The replica that could hold it failed while it waited.
                    let job = self.queue.pop_front().expect("the queue has a front");
                    sink.failed(&job);
                }
                None => break,
            }
        }
    }

    fn tick(&mut self, now_s: f64) {
        let dt = self.tick_s;
        self.next_tick_s += dt;
        for gpu in &mut self.gpus {
            let mut load = 0.0;
            for r in gpu.replicas.clone() {
                let replica = &mut self.replicas[r];
                load += replica.take_busy(now_s, Reader::Thermal) / dt * replica.spec.compute_share;
            }
            gpu.thermal.advance(dt, load, self.cooling);
            let slowdown = if gpu.thermal.throttled() {
                (THROTTLED_PREFILL, THROTTLED_DECODE)
            } else {
                (1.0, 1.0)
            };
            for r in gpu.replicas.clone() {
                self.replicas[r].set_slowdown(now_s, slowdown);
                self.next[r] = self.replicas[r].next_event_s();
            }
        }
    }

    /// GPU `gpu` reports `xid` at `now_s`; a `fatal` one loses its replicas' work.
    pub fn xid(&mut self, now_s: f64, gpu: usize, xid: u32, fatal: bool, sink: &mut dyn Sink) {
        let Some(g) = self.gpus.get_mut(gpu) else {
            return;
        };
        g.xid = xid;
        if fatal {
            g.failed = true;
            for r in g.replicas.clone() {
                self.replicas[r].fail(now_s, sink);
                self.next[r] = f64::INFINITY;
            }
            self.dispatch(now_s, sink);
        }
    }

    /// GPU `gpu` is reset at `now_s`: its XID clears and it serves again.
    pub fn reset(&mut self, now_s: f64, gpu: usize, sink: &mut dyn Sink) {
        let Some(g) = self.gpus.get_mut(gpu) else {
            return;
        };
        g.xid = 0;
        g.failed = false;
        for r in g.replicas.clone() {
            self.replicas[r].recover(now_s);
        }
        self.dispatch(now_s, sink);
    }

    /// The node is lost at `now_s`: everything it holds is lost.
    pub fn lose(&mut self, now_s: f64, sink: &mut dyn Sink) {
        self.lost = true;
        for (replica, next) in self.replicas.iter_mut().zip(&mut self.next) {
            replica.fail(now_s, sink);
            *next = f64::INFINITY;
        }
        for job in self.queue.drain(..) {
            sink.failed(&job);
        }
    }

    /// Read each replica's busy share since the last read, into [`Gpu::busy`].
    pub fn read_busy(&mut self, now_s: f64) {
        let interval = now_s - self.read_s;
        self.read_s = now_s;
        for gpu in &mut self.gpus {
            for (slot, r) in gpu.replicas.clone().enumerate() {
                let busy = self.replicas[r].take_busy(now_s, Reader::Telemetry);
                gpu.busy[slot] = if interval > 0.0 {
                    (busy / interval).clamp(0.0, 1.0)
                } else {
                    0.0
                };
            }
        }
    }
}

#[cfg(test)]
mod tests;
