//! The fleet over time: node slots, the pool members on them, the instance
//! group that brings them up and takes them down, the faults that strike
//! them, and advancing all of it over a stretch of virtual time.
//!
//! - Slots are the scenario's nodes in order (`ml-node-1`, …). Without a
//!   group every node serves from the start. With one, the group's instances
//!   are the first `target` slots: growing creates the next ones, which serve
//!   after the boot time (pushed back past any stockout window they start
//!   in), and shrinking removes the last ones, which leave the pool at once
//!   and finish the work they hold before they go.
//! - Every instance is a member of the pool, joining with the pool's initial
//!   ratio (BIG-IP's default, 1, unless the scenario says otherwise). Its monitor marks it down while it boots and once it has been
//!   lost for BIG-IP's default HTTP monitor timeout (16 s); until then the
//!   pool still sends it requests, which are lost. A lost instance of a group
//!   is recreated (autohealing); a lost node of a fixed fleet stays lost.
//! - A fatal XID (NVIDIA's catalogue as the host's telemetry judges it) takes
//!   the GPU's replicas out until it is reset, `recover_after` later; any
//!   other XID is only reported.
//!
//! Between two moments where anything of that changes — a cycle, a fault, a
//! boot finishing, a monitor noticing — the pool's members are fixed, so
//! requests are routed first and each node then advances on its own, nodes
//! in parallel: the result does not depend on how many threads there are.

use std::collections::BTreeMap;

use super::balancer::Balancer;
use super::batching::{Job, Sink};
use super::metrics::{Metrics, Tally};
use super::node::Node;
use super::scenario::{FaultKind, GroupSpec, NodeClass, Scenario, node_name};
use crate::model::{Availability, Health, MemberState};
use crate::sources::GpuReading;

/// How long a lost node still gets requests: BIG-IP's `http` monitor's
/// default timeout, s.
pub const MONITOR_TIMEOUT_S: f64 = 16.0;
/// Seconds between temperature updates.
pub const THERMAL_TICK_S: f64 = 5.0;
/// Fewest nodes per thread worth a thread of its own.
const NODES_PER_THREAD: usize = 16;

/// Where a slot is in its life.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Life {
    Absent,
    /// Created at `created_s`, serving from `ready_s`.
    Creating {
        created_s: f64,
        ready_s: f64,
    },
    Serving,
    /// Lost at `at_s`; its monitor notices at `detected_s`.
    Lost {
        at_s: f64,
        detected_s: f64,
    },
    /// Out of the pool, finishing what it holds.
    Draining,
}

/// A pool member as the load balancer holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    pub ratio: u32,
    pub state: MemberState,
}

/// One node slot.
#[derive(Debug, Clone)]
pub struct Slot {
    pub name: String,
    pub address: String,
    pub class: usize,
    pub life: Life,
    pub member: Option<Member>,
    pub node: Option<Node>,
}

impl Slot {
    /// What the pool's monitor says about the member at `now_s`.
    pub fn availability(&self, now_s: f64) -> Availability {
        match self.life {
            Life::Serving => Availability::Available,
            Life::Lost { detected_s, .. } if now_s < detected_s => Availability::Available,
            _ => Availability::Offline,
        }
    }

    /// Whether the slot holds an instance that is paid for.
    pub fn billed(&self) -> bool {
        self.life != Life::Absent
    }
}

/// The group's target size and how it was set up.
#[derive(Debug, Clone)]
pub struct Group {
    pub spec: GroupSpec,
    pub target: u32,
}

impl Group {
    /// When an instance created at `now_s` serves: after the boot time,
    /// from the end of any stockout the creation falls in.
    pub fn ready_at(&self, now_s: f64) -> f64 {
        self.started_at(now_s) + self.spec.boot_s
    }

    /// When an instance created at `now_s` gets its VM.
    pub fn started_at(&self, now_s: f64) -> f64 {
        let mut start = now_s;
        for &(from, until) in &self.spec.stockouts {
            if (from..until).contains(&start) {
                start = until;
            }
        }
        start
    }
}

/// A GPU reset scheduled by a fault.
#[derive(Debug, Clone, Copy)]
struct Reset {
    at_s: f64,
    slot: usize,
    gpu: usize,
}

/// The simulated fleet.
pub struct Fleet {
    pub classes: Vec<NodeClass>,
    pub slots: Vec<Slot>,
    pub group: Option<Group>,
    initial_ratio: u32,
    by_member: BTreeMap<String, usize>,
    balancer: Balancer,
    faults: Vec<super::scenario::Fault>,
    next_fault: usize,
    resets: Vec<Reset>,
    /// Requests routed to each slot this stretch.
    inbox: Vec<Vec<Job>>,
    threads: usize,
    /// Instance-seconds and GPU-seconds paid for so far.
    pub instance_s: f64,
    pub gpu_s: f64,
}

/// The port members serve on, as in the demo's seed pool.
pub const MEMBER_PORT: u16 = 80;

/// A slot's member name (`ml-node-3:80`).
pub fn member_name(slot: usize) -> String {
    format!("{}:{MEMBER_PORT}", node_name(slot))
}

impl Fleet {
    /// The fleet of `scenario` at time 0, advancing its nodes on up to
    /// `threads` threads.
    pub fn new(scenario: &Scenario, threads: usize) -> Fleet {
        let group = scenario.group.clone().map(|spec| Group {
            target: spec.initial,
            spec,
        });
        let slots: Vec<Slot> = scenario
            .slot_classes()
            .into_iter()
            .enumerate()
            .map(|(i, class)| {
                let serving = group.as_ref().is_none_or(|g| (i as u32) < g.target);
                Slot {
                    name: node_name(i),
                    address: format!("10.{}.{}.{}", 1 + i / 65_536, (i / 256) % 256, i % 256),
                    class,
                    life: if serving { Life::Serving } else { Life::Absent },
                    member: serving.then_some(Member {
                        ratio: scenario.pool.initial_ratio,
                        state: MemberState::Enabled,
                    }),
                    node: serving.then(|| Node::new(&scenario.fleet[class], 0.0, THERMAL_TICK_S)),
                }
            })
            .collect();
        let mut faults = scenario.faults.clone();
        faults.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
        Fleet {
            classes: scenario.fleet.clone(),
            by_member: (0..slots.len()).map(|i| (member_name(i), i)).collect(),
            balancer: Balancer::new(slots.len()),
            inbox: vec![Vec::new(); slots.len()],
            slots,
            group,
            initial_ratio: scenario.pool.initial_ratio,
            faults,
            next_fault: 0,
            resets: Vec::new(),
            threads: threads.max(1),
            instance_s: 0.0,
            gpu_s: 0.0,
        }
    }

    /// The slot of the member called `name`.
    pub fn member_slot(&self, name: &str) -> Option<usize> {
        self.by_member.get(name).copied()
    }

    /// Set the ratio of the member called `name`; false when there is none.
    pub fn set_ratio(&mut self, name: &str, ratio: u32) -> bool {
        let member = self
            .member_slot(name)
            .and_then(|s| self.slots[s].member.as_mut());
        member.map(|m| m.ratio = ratio).is_some()
    }

    /// Set the state of the member called `name`; false when there is none.
    pub fn set_state(&mut self, name: &str, state: MemberState) -> bool {
        let member = self
            .member_slot(name)
            .and_then(|s| self.slots[s].member.as_mut());
        member.map(|m| m.state = state).is_some()
    }

    /// Resize the group to `target` at `now_s`; false without a group.
    pub fn resize(&mut self, target: u32, now_s: f64) -> bool {
        let Some(group) = &mut self.group else {
            return false;
        };
        let (old, new) = (group.target as usize, target as usize);
        group.target = target;
        let ready_s = group.ready_at(now_s);
        let end = new.max(old).min(self.slots.len());
        for slot in &mut self.slots[new.min(old)..end] {
            if new > old {
                slot.member = Some(Member {
                    ratio: self.initial_ratio,
                    state: MemberState::Enabled,
                });
                slot.life = match slot.life {
                    // Deleting it had not finished: it serves on.
                    Life::Draining => Life::Serving,
                    _ => Life::Creating {
                        created_s: now_s,
                        ready_s,
                    },
                };
            } else {
                slot.member = None;
                let busy = slot
                    .node
                    .as_ref()
                    .is_some_and(|n| !n.lost() && n.outstanding() > 0);
                slot.life = if busy { Life::Draining } else { Life::Absent };
                if !busy {
                    slot.node = None;
                }
            }
        }
        true
    }

    /// The next moment after `after_s` at which the pool or a node changes
    /// on its own: a fault, a reset, a boot finishing, a monitor noticing.
    pub fn next_change(&self, after_s: f64) -> f64 {
        let mut next = f64::INFINITY;
        let mut consider = |at: f64| {
            if at > after_s && at < next {
                next = at;
            }
        };
        if let Some(fault) = self.faults.get(self.next_fault) {
            consider(fault.at_s);
        }
        for reset in &self.resets {
            consider(reset.at_s);
        }
        for slot in &self.slots {
            match slot.life {
                Life::Creating { ready_s, .. } => consider(ready_s),
                Life::Lost { detected_s, .. } => consider(detected_s),
                _ => {}
            }
        }
        next
    }

    /// Apply what happens at `now_s`: faults, resets, boots that finish,
    /// monitors that notice, drained nodes that go.
    pub fn change(&mut self, now_s: f64, metrics: &mut Metrics) {
        let mut tally = Tally::default();
        while let Some(fault) = self
            .faults
            .get(self.next_fault)
            .filter(|f| f.at_s <= now_s)
            .cloned()
        {
            self.next_fault += 1;
            self.strike(&fault, now_s, &mut tally);
        }
        let (due, later): (Vec<Reset>, Vec<Reset>) =
            self.resets.iter().partition(|r| r.at_s <= now_s);
        self.resets = later;
        for reset in due {
            if let Some(node) = &mut self.slots[reset.slot].node {
                node.reset(now_s, reset.gpu, &mut tally);
            }
        }
        for slot in &mut self.slots {
            match slot.life {
                Life::Creating { ready_s, .. } if ready_s <= now_s => {
                    slot.node = Some(Node::new(&self.classes[slot.class], now_s, THERMAL_TICK_S));
                    slot.life = Life::Serving;
                }
                Life::Lost { detected_s, .. } if detected_s <= now_s => {
                    if let Some(group) = &self.group {
                        slot.node = None;
                        slot.life = Life::Creating {
                            created_s: now_s,
                            ready_s: group.ready_at(now_s),
                        };
                    }
                }
                Life::Draining if slot.node.as_ref().is_none_or(|n| n.outstanding() == 0) => {
                    slot.node = None;
                    slot.life = Life::Absent;
                }
                _ => {}
            }
        }
        metrics.absorb(&tally);
    }

    fn strike(&mut self, fault: &super::scenario::Fault, now_s: f64, tally: &mut Tally) {
        let slot = &mut self.slots[fault.slot];
        let Some(node) = slot.node.as_mut().filter(|n| !n.lost()) else {
            // Nothing runs there now: the fault hits nothing.
            return;
        };
        match fault.kind {
            FaultKind::Xid {
                gpu,
                xid,
                recover_s,
            } => {
                let fatal = GpuReading {
                    last_xid: Some(xid),
                    ..GpuReading::default()
                }
                .health()
                    == Health::Unhealthy;
                node.xid(now_s, gpu as usize, xid, fatal, tally);
                if let Some(after) = recover_s {
                    self.resets.push(Reset {
                        at_s: now_s + after,
                        slot: fault.slot,
                        gpu: gpu as usize,
                    });
                }
            }
            FaultKind::Lost => {
                node.lose(now_s, tally);
                slot.life = Life::Lost {
                    at_s: now_s,
                    detected_s: now_s + MONITOR_TIMEOUT_S,
                };
            }
        }
    }

    /// Advance from `from_s` to `until_s`, nothing changing on its own in
    /// between, with `jobs` arriving (in order, within the stretch).
    pub fn advance(&mut self, from_s: f64, until_s: f64, jobs: &[Job], metrics: &mut Metrics) {
        let eligible: Vec<(usize, u32)> = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| {
                let member = slot.member?;
                let serving = member.state == MemberState::Enabled
                    && slot.availability(from_s) != Availability::Offline;
                serving.then_some((i, member.ratio))
            })
            .collect();
        self.balancer.set_members(eligible);
        let mut unrouted = Tally::default();
        for job in jobs {
            match self.balancer.pick() {
                Some(slot) => self.inbox[slot].push(*job),
                None => unrouted.failed(job),
            }
        }
        metrics.absorb(&unrouted);
        let working = self.slots.iter().filter(|s| s.node.is_some()).count();
        let threads = self.threads.min(working / NODES_PER_THREAD).max(1);
        let chunk = self.slots.len().div_ceil(threads).max(1);
        let tallies: Vec<Tally> = if threads == 1 {
            vec![advance_nodes(&mut self.slots, &self.inbox, until_s)]
        } else {
            std::thread::scope(|scope| {
                let running: Vec<_> = self
                    .slots
                    .chunks_mut(chunk)
                    .zip(self.inbox.chunks(chunk))
                    .map(|(slots, inbox)| scope.spawn(move || advance_nodes(slots, inbox, until_s)))
                    .collect();
                running
                    .into_iter()
                    .map(|t| {
                        t.join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                    })
                    .collect()
            })
        };
        for tally in &tallies {
            metrics.absorb(tally);
        }
        for inbox in &mut self.inbox {
            inbox.clear();
        }
        let dt = until_s - from_s;
        for slot in self.slots.iter().filter(|s| s.billed()) {
            self.instance_s += dt;
            self.gpu_s += dt * f64::from(self.classes[slot.class].gpus);
        }
    }

    /// Count every request still held at `end_s`.
    pub fn finish(&self, end_s: f64, metrics: &mut Metrics) {
        for node in self.slots.iter().filter_map(|s| s.node.as_ref()) {
            for job in node.held() {
                metrics.unfinished(job, end_s);
            }
        }
    }

    /// Instances the group has (or nodes, without a group), and how many serve.
    pub fn sizes(&self) -> (u32, u32) {
        let billed = self.slots.iter().filter(|s| s.billed()).count() as u32;
        let serving = self
            .slots
            .iter()
            .filter(|s| s.life == Life::Serving)
            .count() as u32;
        (billed, serving)
    }
}

/// Advance every node of `slots` to `until_s`, with its inbox.
fn advance_nodes(slots: &mut [Slot], inbox: &[Vec<Job>], until_s: f64) -> Tally {
    let mut tally = Tally::default();
    for (slot, jobs) in slots.iter_mut().zip(inbox) {
        if let Some(node) = &mut slot.node {
            node.advance(until_s, jobs, &mut tally);
        } else {
            for job in jobs {
                tally.failed(job);
            }
        }
    }
    tally
}

#[cfg(test)]
mod tests;
