"""The snapshot views: every table read back through its view, strings
resolved, enums typed, absent fields as None, malformed children ranges
read as empty."""

import math
from pathlib import Path

import pytest

from fulcrum_policy import (
    Availability,
    GpuUuid,
    Health,
    InstanceAction,
    InstanceStatus,
    MemberState,
    SnapshotView,
    load_snapshot,
)
from fulcrum_policy.testing import SnapshotBuilder

FIXTURES = Path(__file__).parent / "fixtures"
UUID = GpuUuid.parse("GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f")


@pytest.fixture
def cluster():
    builder = SnapshotBuilder().version(7).time_ms(1_000)
    first = builder.node("gpu-node-1", "10.0.0.1")
    builder.label(first, "zone", "eu-1")
    builder.label(first, "rack", "r7")
    gpu = builder.gpu(first, index=0, uuid=UUID, model="NVIDIA H100", utilization=0.5,
                      memory_used_mib=100.0, memory_total_mib=80_000.0, temperature_c=70.0,
                      throttled=True, last_xid=79, health=Health.UNHEALTHY, mig_enabled=True)
    builder.mig_instance(gpu, "3g.40gb", instance_id=2, placement=(4, 4), utilization=0.25)
    builder.gpu(first, index=1)
    second = builder.node("gpü-node-2", "10.0.0.2", health=Health.DEGRADED, stale=True)
    pool = builder.pool("mlPool")
    builder.member(pool, "gpu-node-1:8080", "10.0.0.1", 8080, 40, node=first, connections=3)
    builder.member(pool, "stray:8080", "10.9.9.9", 8080, 1, MemberState.DISABLED,
                   Availability.OFFLINE)
    group = builder.instance_group("workers", "us-central1-a", 3, 2, 1, 10, "backend", 0.5)
    builder.instance(group, "worker-1", node=second)
    builder.instance(group, "worker-2", InstanceStatus.PROVISIONING, InstanceAction.CREATING,
                     serving=False, last_error="ZONE_RESOURCE_POOL_EXHAUSTED")
    builder.signal("queue-depth", 150.0)
    return SnapshotView(builder.build())


def test_nodes_their_gpus_and_labels(cluster):
    assert (cluster.version, cluster.time_ms) == (7, 1_000)
    first, second = cluster.nodes
    assert (first.name, first.address, first.health, first.stale) == (
        "gpu-node-1", "10.0.0.1", Health.HEALTHY, False)
    assert (second.name, second.health, second.stale) == ("gpü-node-2", Health.DEGRADED, True)
    assert first.labels == [("zone", "eu-1"), ("rack", "r7")]
    assert (first.label("rack"), first.label("missing"), second.labels) == ("r7", None, [])
    assert [gpu.index for gpu in first.gpus] == [0, 1] and len(second.gpus) == 0
    assert cluster.node_by_name("gpü-node-2") == second
    assert cluster.node(2) is None


def test_gpu_columns_and_mig_instances(cluster):
    gpu, bare = cluster.gpus
    assert gpu.node.name == "gpu-node-1"
    assert (gpu.uuid, str(gpu.uuid), gpu.model) == (UUID, str(UUID), "NVIDIA H100")
    assert (gpu.utilization, gpu.memory_used_mib, gpu.memory_total_mib) == (0.5, 100.0, 80_000.0)
    assert (gpu.throttled, gpu.last_xid, gpu.health, gpu.mig_enabled) == (
        True, 79, Health.UNHEALTHY, True)
    assert math.isnan(gpu.power_w) and math.isnan(bare.utilization)
    assert (bare.uuid, bare.model, bare.health) == (None, "", Health.UNKNOWN)
    [mig] = gpu.mig_instances
    assert (mig.gpu, mig.profile, mig.instance_id) == (gpu, "3g.40gb", 2)
    assert (mig.placement_start, mig.placement_size, mig.utilization) == (4, 4, 0.25)
    assert len(bare.mig_instances) == 0


def test_pools_and_members(cluster):
    [pool] = cluster.pools
    assert (pool.name, pool.partition, pool.load_balancing_mode) == ("mlPool", "Common", "ratio-member")
    served, stray = pool.members
    assert (served.row, served.name, served.port, served.ratio) == (0, "gpu-node-1:8080", 8080, 40)
    assert (served.state, served.availability, served.current_connections) == (
        MemberState.ENABLED, Availability.AVAILABLE, 3)
    assert served.node.name == "gpu-node-1" and served.pool == pool
    assert (stray.node, stray.state, stray.availability) == (
        None, MemberState.DISABLED, Availability.OFFLINE)
    assert cluster.member(1) == stray and cluster.pool_by_name("nope") is None


def test_instance_groups_and_instances(cluster):
    [group] = cluster.instance_groups
    assert (group.name, group.location, group.backend_service, group.capacity_scaler) == (
        "workers", "us-central1-a", "backend", 0.5)
    assert (group.target_size, group.current_size, group.min_size, group.max_size) == (3, 2, 1, 10)
    running, creating = group.instances
    assert (running.status, running.action, running.serving, running.last_error) == (
        InstanceStatus.RUNNING, InstanceAction.NONE, True, None)
    assert running.node.name == "gpü-node-2" and running.group == group
    assert (creating.node, creating.status, creating.action, creating.last_error) == (
        None, InstanceStatus.PROVISIONING, InstanceAction.CREATING, "ZONE_RESOURCE_POOL_EXHAUSTED")


def test_signals(cluster):
    assert list(cluster.signals) == [("queue-depth", 150.0)]
    assert (cluster.signal("queue-depth"), cluster.signal("other")) == (150.0, None)


def test_unknown_codes_read_as_the_safe_case():
    builder = SnapshotBuilder()
    node = builder.node("n", "a", health=Health.HEALTHY)
    pool = builder.pool("p")
    builder.member(pool, "m", node=node)
    group = builder.instance_group("g", "z", 1, 1, 1, 1)
    builder.instance(group, "i")
    snapshot = builder.build()
    snapshot.nodes.health = bytes([200])
    snapshot.members.state = bytes([3])
    snapshot.members.availability = bytes([9])
    snapshot.instances.status = bytes([9])
    snapshot.instances.action = bytes([255])
    view = SnapshotView(snapshot)
    member, instance = view.member(0), view.instance_group(0).instances[0]
    assert view.node(0).health == Health.UNKNOWN
    assert (member.state, member.availability) == (MemberState.FORCED_OFFLINE, Availability.UNKNOWN)
    assert (instance.status, instance.action) == (InstanceStatus.ABSENT, InstanceAction.NONE)


def test_absent_or_invalid_strings_and_malformed_children_read_as_empty():
    builder = SnapshotBuilder()
    node = builder.node("n", "")
    builder.gpu(node)
    snapshot = builder.build()
    snapshot.nodes.gpu_start = [5]
    view = SnapshotView(snapshot)
    assert len(view.node(0).gpus) == 0
    assert (view.string(0xFFFF_FFFF), view.optional_string(0xFFFF_FFFF)) == ("", None)
    assert view.optional_string(99) is None
    assert view.node(0).address == ""


def test_a_string_cut_inside_a_character_reads_as_absent():
    builder = SnapshotBuilder()
    builder.node("ü", "x")
    snapshot = builder.build()
    snapshot.strings.offsets = [0, 1, 2, 3]  # "ü" is two bytes: 0..1 cuts it
    assert SnapshotView(snapshot).optional_string(1) is None


def test_the_embedded_fleet_reads_as_host_snapshot_prints_it():
    view = SnapshotView(load_snapshot(FIXTURES / "fleet-cycle1.json"))
    assert [node.name for node in view.nodes][:3] == ["ml-node-1", "ml-node-2", "ml-node-3"]
    assert [len(node.gpus) for node in view.nodes][:3] == [8, 8, 8]
    first = view.gpus[0]
    assert (first.model, first.memory_total_mib, str(first.uuid)) == (
        "NVIDIA H100 80GB HBM3", 81559.0, "GPU-00000000-5e1f-4c1a-9b7e-000000000000")
    assert [mig.profile for mig in first.mig_instances] == ["7g.80gb"]
    assert [(m.name, m.node.name) for m in view.pool_by_name("mlPool").members] == [
        ("ml-node-1:80", "ml-node-1"), ("ml-node-2:80", "ml-node-2"), ("ml-node-3:80", "ml-node-3")]
    assert view.signal("queue-depth") == 150.0
