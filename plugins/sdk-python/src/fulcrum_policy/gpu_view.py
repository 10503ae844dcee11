"""`GpuView` and `MigView`: physical GPUs and their MIG instances.

Measurements are NaN when the source did not report them.
"""

from .codes import HEALTH_BY_CODE
from .gpu_uuid import GpuUuid
from .row_view import RowView
from .rows import Rows, children


class GpuView(RowView):
    """One row of `gpus`: a physical GPU."""

    __slots__ = ()

    @property
    def node(self):
        """The `NodeView` of the node the GPU is in."""
        return self._snapshot.node(self._columns.node[self.row])

    @property
    def index(self):
        """Device index on the node (`nvidia-smi` index)."""
        return self._columns.index[self.row]

    @property
    def uuid(self):
        """Device UUID, a `GpuUuid`; None when the source reported none."""
        return GpuUuid.from_halves(
            self._columns.uuid_high[self.row], self._columns.uuid_low[self.row]
        )

    @property
    def model(self):
        """Model name ("NVIDIA H100 80GB HBM3"); "" when absent."""
        return self._snapshot.string(self._columns.model[self.row])

    @property
    def utilization(self):
        """Compute busy ratio 0..=1."""
        return self._columns.utilization[self.row]

    @property
    def tensor_activity(self):
        """Tensor-pipe activity ratio 0..=1."""
        return self._columns.tensor_activity[self.row]

    @property
    def memory_used_mib(self):
        """Framebuffer memory in use, MiB."""
        return self._columns.memory_used_mib[self.row]

    @property
    def memory_total_mib(self):
        """Framebuffer memory in total, MiB."""
        return self._columns.memory_total_mib[self.row]

    @property
    def temperature_c(self):
        """GPU temperature, °C."""
        return self._columns.temperature_c[self.row]

    @property
    def power_w(self):
        """Power draw, W."""
        return self._columns.power_w[self.row]

    @property
    def power_limit_w(self):
        """Power limit, W."""
        return self._columns.power_limit_w[self.row]

    @property
    def throttled(self):
        """True while the GPU is clock-throttled for thermal or power reasons."""
        return self._columns.throttled[self.row] != 0

    @property
    def last_xid(self):
        """The last XID error the GPU reported; 0 when none."""
        return self._columns.last_xid[self.row]

    @property
    def health(self):
        """GPU health, a `Health`."""
        return HEALTH_BY_CODE[self._columns.health[self.row]]

    @property
    def mig_enabled(self):
        """True when MIG mode is enabled on the GPU."""
        return self._columns.mig_enabled[self.row] != 0

    @property
    def mig_instances(self):
        """The GPU's MIG instances, in row order."""
        migs = self._snapshot.columns.mig_instances
        rows = children(self._columns.mig_start, self.row, len(migs.gpu))
        return Rows(self._snapshot, migs, MigView, rows)


class MigView(RowView):
    """One row of `mig_instances`: a MIG GPU instance."""

    __slots__ = ()

    @property
    def gpu(self):
        """The `GpuView` of the physical GPU the instance lives on."""
        return self._snapshot.gpus.at(self._columns.gpu[self.row])

    @property
    def profile(self):
        """Profile name ("1g.10gb")."""
        return self._snapshot.string(self._columns.profile[self.row])

    @property
    def instance_id(self):
        """GPU instance id (`GPU_I_ID`)."""
        return self._columns.instance_id[self.row]

    @property
    def placement_start(self):
        """First memory slice of the placement (0..=7)."""
        return self._columns.placement_start[self.row]

    @property
    def placement_size(self):
        """Number of memory slices the placement covers."""
        return self._columns.placement_size[self.row]

    @property
    def utilization(self):
        """Graphics-engine activity ratio 0..=1 of this instance."""
        return self._columns.utilization[self.row]

    @property
    def memory_used_mib(self):
        """Memory in use inside the instance, MiB."""
        return self._columns.memory_used_mib[self.row]

    @property
    def memory_total_mib(self):
        """Memory of the instance, MiB."""
        return self._columns.memory_total_mib[self.row]
