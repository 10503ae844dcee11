//! [`PoolView`] and [`MemberView`]: load-balancer pools and their members.

use super::rows::sealed::FromRow;
use super::{NodeView, Rows, SnapshotView, children, read, row_count};
use crate::{Availability, MemberState, NONE, Snapshot};

/// One row of `pools`: a load-balancer pool.
#[derive(Clone, Copy, Debug)]
pub struct PoolView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for PoolView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        PoolView { snapshot, row }
    }
}

impl<'a> PoolView<'a> {
    /// The pool's row in `pools`.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// Pool name ("mlPool").
    pub fn name(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.pools.name, self.at()))
    }

    /// Administrative partition ("Common").
    pub fn partition(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.pools.partition, self.at()))
    }

    /// Load-balancing mode ("ratio-member", …).
    pub fn load_balancing_mode(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.pools.load_balancing_mode, self.at()))
    }

    /// The pool's members, in row order.
    #[inline]
    pub fn members(&self) -> Rows<'a, MemberView<'a>> {
        let pools = &self.snapshot.pools;
        Rows::new(
            self.snapshot,
            children(
                &pools.member_start,
                self.row,
                row_count(&self.snapshot.members.pool),
            ),
        )
    }

    fn view(&self) -> SnapshotView<'a> {
        SnapshotView::new(self.snapshot)
    }
}

/// One row of `members`: a pool member.
#[derive(Clone, Copy, Debug)]
pub struct MemberView<'a> {
    snapshot: &'a Snapshot,
    row: u32,
}

impl<'a> FromRow<'a> for MemberView<'a> {
    fn from_row(snapshot: &'a Snapshot, row: u32) -> Self {
        MemberView { snapshot, row }
    }
}

impl<'a> MemberView<'a> {
    /// The member's row in `members`; what actions on it refer to.
    pub fn row(&self) -> u32 {
        self.row
    }

    fn at(&self) -> usize {
        self.row as usize
    }

    /// The pool the member belongs to.
    pub fn pool(&self) -> PoolView<'a> {
        PoolView::from_row(self.snapshot, read(&self.snapshot.members.pool, self.at()))
    }

    /// The node serving this member; `None` when no node matches its address.
    #[inline]
    pub fn node(&self) -> Option<NodeView<'a>> {
        match read(&self.snapshot.members.node, self.at()) {
            NONE => None,
            row => SnapshotView::new(self.snapshot).node(row),
        }
    }

    /// Member name as the load balancer knows it ("ml-node-1:8080").
    #[inline]
    pub fn name(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.members.name, self.at()))
    }

    /// Member address.
    pub fn address(&self) -> &'a str {
        self.view()
            .string(read(&self.snapshot.members.address, self.at()))
    }

    /// Service port.
    pub fn port(&self) -> u16 {
        read(&self.snapshot.members.port, self.at())
    }

    /// Ratio weight for ratio load balancing, 1..=65535.
    pub fn ratio(&self) -> u32 {
        read(&self.snapshot.members.ratio, self.at())
    }

    /// Administrative state; an unknown code reads as
    /// [`MemberState::ForcedOffline`], the conservative reading (see
    /// [`MemberState::from_code`]).
    #[inline]
    pub fn state(&self) -> MemberState {
        MemberState::from_code(self.snapshot.members.state[self.at()])
    }

    /// Monitor availability; an unknown code reads as [`Availability::Unknown`].
    pub fn availability(&self) -> Availability {
        Availability::from_code(self.snapshot.members.availability[self.at()])
    }

    /// Connections open now.
    pub fn current_connections(&self) -> u32 {
        read(&self.snapshot.members.current_connections, self.at())
    }

    /// Connection limit; 0 means unlimited.
    pub fn connection_limit(&self) -> u32 {
        read(&self.snapshot.members.connection_limit, self.at())
    }

    fn view(&self) -> SnapshotView<'a> {
        SnapshotView::new(self.snapshot)
    }
}
