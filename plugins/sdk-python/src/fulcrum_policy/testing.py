"""`SnapshotBuilder`: small snapshots for unit tests, row by row, as the Rust
SDK's `testing::SnapshotBuilder` builds them.

Rows are added parent first and children in parent order (a node's GPUs
before the next node's); `build` fills the `*_start` columns. Strings are
interned (string 0 is ""). A GPU's measurements default to NaN ("not
reported"), a node's health to healthy.
"""

import math
from bisect import bisect_left

from ._schema import CHILD_STARTS, NONE, TABLES
from .codes import Availability, Health, InstanceAction, InstanceStatus, MemberState
from .records import snapshot_record

_GPU_DEFAULTS = {
    "index": 0,
    "uuid_high": 0,
    "uuid_low": 0,
    "model": "",
    "utilization": math.nan,
    "tensor_activity": math.nan,
    "memory_used_mib": math.nan,
    "memory_total_mib": math.nan,
    "temperature_c": math.nan,
    "power_w": math.nan,
    "power_limit_w": math.nan,
    "throttled": False,
    "last_xid": 0,
    "health": Health.UNKNOWN,
    "mig_enabled": False,
}


class SnapshotBuilder:
    """Builds a snapshot row by row; every adding method returns the new row."""

    def __init__(self):
        self._version = 0
        self._time_ms = 0
        self._strings = {"": 0}
        self._tables = {table: {name: [] for name in columns} for table, columns in TABLES.items()}

    def version(self, version):
        """Set the snapshot's version."""
        self._version = version
        return self

    def time_ms(self, time_ms):
        """Set when the snapshot was taken."""
        self._time_ms = time_ms
        return self

    def intern(self, text):
        """The string id of `text`, interning it if new."""
        return self._strings.setdefault(text, len(self._strings))

    def node(self, name, address, health=Health.HEALTHY, stale=False, telemetry_age_ms=0):
        """Add a node."""
        return self._add(
            "nodes",
            name=self.intern(name),
            address=self.intern(address),
            health=int(health),
            telemetry_age_ms=telemetry_age_ms,
            stale=int(stale),
        )

    def node_health(self, node, health):
        """Set node `node`'s health."""
        self._tables["nodes"]["health"][node] = int(health)
        return self

    def node_stale(self, node, stale):
        """Set whether node `node`'s telemetry is stale."""
        self._tables["nodes"]["stale"][node] = int(stale)
        return self

    def label(self, node, key, value):
        """Add label `key` = `value` to node `node`."""
        self._check_parent("labels", "node", node, "nodes")
        return self._add("labels", node=node, key=self.intern(key), value=self.intern(value))

    def gpu(self, node, **sample):
        """Add a GPU to node `node`; `sample` overrides the defaults by column
        name (`utilization=0.5`, `health=Health.UNHEALTHY`, `model="H100"`,
        `uuid=GpuUuid`)."""
        self._check_parent("gpus", "node", node, "nodes")
        uuid = sample.pop("uuid", None)
        unknown = set(sample) - set(_GPU_DEFAULTS)
        if unknown:
            raise TypeError(f"gpu: no column named {sorted(unknown)}")
        columns = {**_GPU_DEFAULTS, **sample}
        if uuid is not None:
            columns["uuid_high"], columns["uuid_low"] = uuid.halves()
        columns["model"] = self.intern(columns["model"])
        for flag in ("throttled", "mig_enabled", "health"):
            columns[flag] = int(columns[flag])
        return self._add("gpus", node=node, **columns)

    def mig_instance(self, gpu, profile, instance_id=0, placement=(0, 0), utilization=math.nan,
                     memory_used_mib=math.nan, memory_total_mib=math.nan):
        """Add a MIG instance of profile `profile` to GPU `gpu`."""
        self._check_parent("mig_instances", "gpu", gpu, "gpus")
        return self._add(
            "mig_instances",
            gpu=gpu,
            profile=self.intern(profile),
            instance_id=instance_id,
            placement_start=placement[0],
            placement_size=placement[1],
            utilization=utilization,
            memory_used_mib=memory_used_mib,
            memory_total_mib=memory_total_mib,
        )

    def pool(self, name, partition="Common", load_balancing_mode="ratio-member"):
        """Add a load-balancer pool."""
        return self._add(
            "pools",
            name=self.intern(name),
            partition=self.intern(partition),
            load_balancing_mode=self.intern(load_balancing_mode),
        )

    def member(self, pool, name, address="", port=80, ratio=1, state=MemberState.ENABLED,
               availability=Availability.AVAILABLE, connections=0, node=None, connection_limit=0):
        """Add a member to pool `pool`, served by node row `node` (None: no node)."""
        self._check_parent("members", "pool", pool, "pools")
        return self._add(
            "members",
            pool=pool,
            node=NONE if node is None else node,
            name=self.intern(name),
            address=self.intern(address),
            port=port,
            ratio=ratio,
            state=int(state),
            availability=int(availability),
            current_connections=connections,
            connection_limit=connection_limit,
        )

    def member_state(self, member, state):
        """Set member `member`'s administrative state."""
        self._tables["members"]["state"][member] = int(state)
        return self

    def member_ratio(self, member, ratio):
        """Set member `member`'s ratio."""
        self._tables["members"]["ratio"][member] = ratio
        return self

    def instance_group(self, name, location, target_size, current_size, min_size, max_size,
                       backend_service=None, capacity_scaler=math.nan):
        """Add a managed instance group (a backend when `backend_service` is given)."""
        return self._add(
            "instance_groups",
            name=self.intern(name),
            location=self.intern(location),
            target_size=target_size,
            current_size=current_size,
            min_size=min_size,
            max_size=max_size,
            backend_service=NONE if backend_service is None else self.intern(backend_service),
            capacity_scaler=capacity_scaler,
        )

    def instance(self, group, name, status=InstanceStatus.RUNNING, action=InstanceAction.NONE,
                 serving=True, node=None, last_error=None):
        """Add an instance to group `group`."""
        self._check_parent("instances", "group", group, "instance_groups")
        return self._add(
            "instances",
            group=group,
            node=NONE if node is None else node,
            name=self.intern(name),
            status=int(status),
            action=int(action),
            serving=int(serving),
            last_error=NONE if last_error is None else self.intern(last_error),
        )

    def signal(self, name, value):
        """Add demand signal `name`."""
        return self._add("signals", name=self.intern(name), value=value)

    def build(self):
        """The snapshot as built so far (the builder can go on)."""
        tables = {table: {name: list(values) for name, values in columns.items()}
                  for table, columns in self._tables.items()}
        for (parent, column), (child, key) in CHILD_STARTS.items():
            parents = len(next(iter(tables[parent].values())))
            owners = tables[child][key]
            tables[parent][column] = [bisect_left(owners, row) for row in range(parents)]
        text = "".join(self._strings)
        offsets = [0]
        for string in self._strings:
            offsets.append(offsets[-1] + len(string.encode()))
        return snapshot_record(self._version, self._time_ms, text, offsets, tables)

    def _add(self, table, **values):
        columns = self._tables[table]
        for name, column in columns.items():
            if (table, name) not in CHILD_STARTS:
                column.append(values[name])
        return len(columns[next(iter(columns))]) - 1

    def _check_parent(self, table, key, parent, parent_table):
        parents = len(self._tables[parent_table][next(iter(self._tables[parent_table]))])
        if not 0 <= parent < parents:
            raise IndexError(f"{table}: no {parent_table} row {parent}")
        owners = self._tables[table][key]
        if owners and owners[-1] > parent:
            raise ValueError(f"{table}: rows must be added in {key} order ({parent} after {owners[-1]})")
