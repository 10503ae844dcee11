"""`NodeView`: one machine, its GPUs and its labels."""

from .codes import HEALTH_BY_CODE
from .gpu_view import GpuView
from .row_view import RowView
from .rows import Rows, children


class NodeView(RowView):
    """One row of `nodes`: a machine that runs ML work."""

    __slots__ = ()

    @property
    def name(self):
        """Node name (the load balancer node name or instance name)."""
        return self._snapshot.string(self._columns.name[self.row])

    @property
    def address(self):
        """Address the node is reached at, as text; "" when absent."""
        return self._snapshot.string(self._columns.address[self.row])

    @property
    def health(self):
        """Overall health, a `Health`."""
        return HEALTH_BY_CODE[self._columns.health[self.row]]

    @property
    def stale(self):
        """True when the node's telemetry is older than its source's staleness limit."""
        return self._columns.stale[self.row] != 0

    @property
    def telemetry_age_ms(self):
        """Age of the node's newest telemetry at snapshot time, in milliseconds."""
        return self._columns.telemetry_age_ms[self.row]

    @property
    def gpus(self):
        """The node's GPUs, in row order."""
        tables = self._snapshot.columns
        rows = children(self._columns.gpu_start, self.row, len(tables.gpus.node))
        return Rows(self._snapshot, tables.gpus, GpuView, rows)

    @property
    def labels(self):
        """The node's labels as `(key, value)`, in row order."""
        labels = self._snapshot.columns.labels
        string = self._snapshot.string
        rows = children(self._columns.label_start, self.row, len(labels.node))
        return [(string(labels.key[at]), string(labels.value[at])) for at in rows]

    def label(self, key):
        """The value of the node's label `key`, or None."""
        return next((value for label, value in self.labels if label == key), None)
