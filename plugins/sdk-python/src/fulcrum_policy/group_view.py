"""`GroupView` and `InstanceView`: managed instance groups and their instances."""

from .codes import INSTANCE_ACTION_BY_CODE, INSTANCE_STATUS_BY_CODE
from .row_view import RowView
from .rows import Rows, children


class GroupView(RowView):
    """One row of `instance_groups`; actions on it refer to `row`."""

    __slots__ = ()

    @property
    def name(self):
        """Group name."""
        return self._snapshot.string(self._columns.name[self.row])

    @property
    def location(self):
        """Zone or region the group lives in."""
        return self._snapshot.string(self._columns.location[self.row])

    @property
    def target_size(self):
        """Size the group is asked to have."""
        return self._columns.target_size[self.row]

    @property
    def current_size(self):
        """Instances that exist now, in any status."""
        return self._columns.current_size[self.row]

    @property
    def min_size(self):
        """Smallest size the operator allows."""
        return self._columns.min_size[self.row]

    @property
    def max_size(self):
        """Largest size the operator allows."""
        return self._columns.max_size[self.row]

    @property
    def backend_service(self):
        """Backend service the group serves; None when it is no backend."""
        return self._snapshot.optional_string(self._columns.backend_service[self.row])

    @property
    def capacity_scaler(self):
        """The backend's capacity scaler, 0 or 0.1..=1; NaN when no backend."""
        return self._columns.capacity_scaler[self.row]

    @property
    def instances(self):
        """The group's instances, in row order."""
        instances = self._snapshot.columns.instances
        rows = children(self._columns.instance_start, self.row, len(instances.group))
        return Rows(self._snapshot, instances, InstanceView, rows)


class InstanceView(RowView):
    """One row of `instances`: a managed instance."""

    __slots__ = ()

    @property
    def group(self):
        """The `GroupView` of the group the instance belongs to."""
        return self._snapshot.instance_group(self._columns.group[self.row])

    @property
    def node(self):
        """The `NodeView` for this instance; None when it has no telemetry yet."""
        return self._snapshot.node(self._columns.node[self.row])

    @property
    def name(self):
        """Instance name."""
        return self._snapshot.string(self._columns.name[self.row])

    @property
    def status(self):
        """Lifecycle status, an `InstanceStatus`."""
        return INSTANCE_STATUS_BY_CODE[self._columns.status[self.row]]

    @property
    def action(self):
        """Current action of the group manager on it, an `InstanceAction`."""
        return INSTANCE_ACTION_BY_CODE[self._columns.action[self.row]]

    @property
    def serving(self):
        """True when the backend service reports the instance healthy."""
        return self._columns.serving[self.row] != 0

    @property
    def last_error(self):
        """The last error creating or running it; None when none."""
        return self._snapshot.optional_string(self._columns.last_error[self.row])
