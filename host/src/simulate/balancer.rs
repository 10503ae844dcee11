//! The BIG-IP pool in front of the nodes, balancing in `ratio-member` mode:
//! "the BIG-IP system distributes connections among pool members in a static
//! rotation according to ratio weights" (F5, BIG-IP Local Traffic Management:
//! Basics, "About pools"), over the members that are enabled and not marked
//! down by their monitor; a disabled or forced-offline member gets no new
//! connections.
//!
//! The rotation is stride scheduling (Waldspurger and Weihl, 1995): each
//! member advances a pass value by `STRIDE / ratio` each time it is picked,
//! and the member with the lowest pass goes next (ties to the lower slot). Over
//! any stretch every member's share is its ratio's share, within one pick,
//! and the order is deterministic. A member that joins or comes back starts
//! at the current pass, so it gets no burst to catch up.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Pass units per pick of a member with ratio 1.
const STRIDE: u64 = 1 << 32;

/// The rotation over a pool's members.
#[derive(Debug, Clone, Default)]
pub struct Balancer {
    /// Each slot's pass.
    pass: Vec<u64>,
    stride: Vec<u64>,
    /// The members eligible now, by pass.
    heap: BinaryHeap<Reverse<(u64, usize)>>,
    /// The pass of the last pick: the rotation's current position.
    current: u64,
}

impl Balancer {
    /// A rotation over `slots` possible members.
    pub fn new(slots: usize) -> Balancer {
        Balancer {
            pass: vec![0; slots],
            stride: vec![STRIDE; slots],
            heap: BinaryHeap::new(),
            current: 0,
        }
    }

    /// From now on, rotate over `members` (slot, ratio ≥ 1).
    pub fn set_members(&mut self, members: impl IntoIterator<Item = (usize, u32)>) {
        self.heap.clear();
        for (slot, ratio) in members {
            self.stride[slot] = STRIDE / u64::from(ratio.max(1));
            self.pass[slot] = self.pass[slot].max(self.current);
            self.heap.push(Reverse((self.pass[slot], slot)));
        }
    }

    /// The member the next connection goes to; `None` when there is none.
    pub fn pick(&mut self) -> Option<usize> {
        let Reverse((pass, slot)) = self.heap.pop()?;
        self.current = pass;
        self.pass[slot] = pass + self.stride[slot];
        self.heap.push(Reverse((self.pass[slot], slot)));
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shares(balancer: &mut Balancer, picks: usize, slots: usize) -> Vec<usize> {
        let mut counts = vec![0; slots];
        for _ in 0..picks {
            counts[balancer.pick().unwrap()] += 1;
        }
        counts
    }

    #[test]
    fn connections_follow_the_ratios() {
        let mut balancer = Balancer::new(4);
        balancer.set_members([(0, 3), (1, 2), (3, 1)]);
        assert_eq!(shares(&mut balancer, 600, 4), vec![300, 200, 0, 100]);
    }

    #[test]
    fn equal_ratios_rotate_in_slot_order() {
        let mut balancer = Balancer::new(3);
        balancer.set_members([(0, 50), (1, 50), (2, 50)]);
        let order: Vec<usize> = (0..6).map(|_| balancer.pick().unwrap()).collect();
        assert_eq!(order, vec![0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn a_returning_member_gets_no_burst() {
        let mut balancer = Balancer::new(2);
        balancer.set_members([(0, 1)]);
        shares(&mut balancer, 1_000, 2);
        balancer.set_members([(0, 1), (1, 1)]);
        let counts = shares(&mut balancer, 100, 2);
        assert!(counts[1] <= 51, "{counts:?}");
        assert_eq!(Balancer::new(1).pick(), None);
    }
}
