"""Shared builders for the gpu-weighting tests: a pool with one member per
node, each node with the GPUs given."""

import math

from fulcrum_policy import Health, MemoryHost, SnapshotView
from fulcrum_policy.actions import MemberRatio
from fulcrum_policy.testing import SnapshotBuilder

from gpu_weighting import GpuWeighting

NO_SMOOTHING = '{"smoothing": 0}'


def gpu(utilization, used, temperature_c, **more):
    """A healthy 80 GB GPU, `utilization` busy and `used` of its memory in use."""
    return dict(utilization=utilization, memory_used_mib=used * 80_000.0,
                memory_total_mib=80_000.0, temperature_c=temperature_c,
                health=Health.HEALTHY, **more)


def fallen():
    """A GPU that fell off the bus and reports nothing."""
    return dict(utilization=math.nan, memory_used_mib=math.nan, temperature_c=math.nan,
                health=Health.UNHEALTHY, last_xid=79)


def cluster(nodes):
    """Pool "mlPool" with one enabled member at ratio 50 per node; member `i`
    ("gpu-node-i:8080") is served by node `i`, whose GPUs are `nodes[i]`."""
    builder = SnapshotBuilder()
    pool = builder.pool("mlPool")
    for i, gpus in enumerate(nodes):
        node = builder.node(f"gpu-node-{i}", f"10.0.0.{i}")
        for index, sample in enumerate(gpus):
            builder.gpu(node, index=index, **sample)
    for i in range(len(nodes)):
        builder.member(pool, f"gpu-node-{i}:8080", f"10.0.0.{i}", 8080, 50, node=i)
    return builder


def run(settings, snapshot, host=None):
    """The decisions of one cycle, as a list."""
    policy = GpuWeighting.configure(settings)
    return policy.decide(SnapshotView(snapshot), host or MemoryHost()).to_list()


def ratios(decisions):
    """`(member, ratio)` of every ratio decision, in order."""
    return [(d.action.member, d.action.ratio) for d in decisions if isinstance(d.action, MemberRatio)]

