"""`PoolView` and `MemberView`: load-balancer pools and their members."""

from .codes import AVAILABILITY_BY_CODE, MEMBER_STATE_BY_CODE
from .row_view import RowView
from .rows import Rows, children


class PoolView(RowView):
    """One row of `pools`: a load-balancer pool."""

    __slots__ = ()

    @property
    def name(self):
        """Pool name ("mlPool")."""
        return self._snapshot.string(self._columns.name[self.row])

    @property
    def partition(self):
        """Administrative partition ("Common")."""
        return self._snapshot.string(self._columns.partition[self.row])

    @property
    def load_balancing_mode(self):
        """Load-balancing mode ("ratio-member", ...)."""
        return self._snapshot.string(self._columns.load_balancing_mode[self.row])

    @property
    def members(self):
        """The pool's members, in row order."""
        members = self._snapshot.columns.members
        rows = children(self._columns.member_start, self.row, len(members.pool))
        return Rows(self._snapshot, members, MemberView, rows)


class MemberView(RowView):
    """One row of `members`: a pool member; actions on it refer to `row`."""

    __slots__ = ()

    @property
    def pool(self):
        """The `PoolView` of the pool the member belongs to."""
        return self._snapshot.pool(self._columns.pool[self.row])

    @property
    def node(self):
        """The `NodeView` serving this member; None when no node matches its address."""
        return self._snapshot.node(self._columns.node[self.row])

    @property
    def name(self):
        """Member name as the load balancer knows it ("ml-node-1:8080")."""
        return self._snapshot.string(self._columns.name[self.row])

    @property
    def address(self):
        """Member address."""
        return self._snapshot.string(self._columns.address[self.row])

    @property
    def port(self):
        """Service port."""
        return self._columns.port[self.row]

    @property
    def ratio(self):
        """Ratio weight for ratio load balancing, 1..=65535."""
        return self._columns.ratio[self.row]

    @property
    def state(self):
        """Administrative state, a `MemberState`."""
        return MEMBER_STATE_BY_CODE[self._columns.state[self.row]]

    @property
    def availability(self):
        """Monitor availability, an `Availability`."""
        return AVAILABILITY_BY_CODE[self._columns.availability[self.row]]

    @property
    def current_connections(self):
        """Connections open now."""
        return self._columns.current_connections[self.row]

    @property
    def connection_limit(self):
        """Connection limit; 0 means unlimited."""
        return self._columns.connection_limit[self.row]
