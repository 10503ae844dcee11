"""`SnapshotView`: the read-only entry point to every table of a snapshot.

It wraps the snapshot the host handed to `decide` (or one loaded from JSON,
or built in a test) without copying it. Tables are read through views of one
row each (`NodeView`, `GpuView`, ...), built lazily by `Rows`; strings are
resolved through the string table; enum columns come back as `codes` enums.
A field the contract allows to be absent reads as None; floating-point
measurements are returned as they are, NaN meaning "not reported".
"""

from ._columns import Tables
from .group_view import GroupView
from .node_view import NodeView
from .pool_view import MemberView, PoolView
from .gpu_view import GpuView
from .rows import Rows
from .strings import Strings


class SnapshotView:
    """A read-only view of a whole snapshot."""

    __slots__ = ("_snapshot", "_strings", "columns")

    def __init__(self, snapshot):
        self._snapshot = snapshot
        self._strings = Strings(snapshot.strings)
        # Every table's columns, `columns.gpus.utilization[row]`: for reading
        # a column directly where a view per row would cost too much.
        self.columns = Tables(snapshot)

    @property
    def version(self):
        """Increases by one every cycle."""
        return self._snapshot.version

    @property
    def time_ms(self):
        """When the snapshot was taken, milliseconds since the Unix epoch."""
        return self._snapshot.time_ms

    def string(self, string_id):
        """The interned string `string_id`; "" when absent or invalid."""
        found = self._strings.get(string_id)
        return "" if found is None else found

    def optional_string(self, string_id):
        """The interned string `string_id`; None when absent or invalid."""
        return self._strings.get(string_id)

    def _rows(self, table, view):
        columns = getattr(self.columns, table)
        first_column = next(iter(vars(columns).values()))
        return Rows(self, columns, view, range(len(first_column)))

    @property
    def nodes(self):
        """Every node, in row order."""
        return self._rows("nodes", NodeView)

    def node(self, row):
        """The node in `row`, or None."""
        return self.nodes.at(row)

    def node_by_name(self, name):
        """The first node named `name` (a linear scan), or None."""
        return self.nodes.find(lambda node: node.name == name)

    @property
    def gpus(self):
        """Every GPU of every node, in row order (grouped by node)."""
        return self._rows("gpus", GpuView)

    @property
    def pools(self):
        """Every load-balancer pool, in row order."""
        return self._rows("pools", PoolView)

    def pool(self, row):
        """The pool in `row`, or None."""
        return self.pools.at(row)

    def pool_by_name(self, name):
        """The first pool named `name` (a linear scan), or None."""
        return self.pools.find(lambda pool: pool.name == name)

    @property
    def members(self):
        """Every member of every pool, in row order (grouped by pool)."""
        return self._rows("members", MemberView)

    def member(self, row):
        """The member in `row`, or None."""
        return self.members.at(row)

    @property
    def instance_groups(self):
        """Every managed instance group, in row order."""
        return self._rows("instance_groups", GroupView)

    def instance_group(self, row):
        """The instance group in `row`, or None."""
        return self.instance_groups.at(row)

    @property
    def signals(self):
        """Every demand signal as `(name, value)`, in row order."""
        signals = self.columns.signals
        return ((self.string(name), value) for name, value in zip(signals.name, signals.value))

    def signal(self, name):
        """The value of the first signal named `name`, or None."""
        return next((value for signal, value in self.signals if signal == name), None)

