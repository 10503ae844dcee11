"""The policy end to end under CPython, one test per behaviour; the same
cases, figures and reasons as the Rust policy's tests (plugins/gpu-weighting/src/tests.rs)."""

import math

from conftest import NO_SMOOTHING, cluster, fallen, gpu, ratios, run

from fulcrum_policy import Health, Level, MemberState, MemoryHost, actions
from gpu_weighting import memory


def test_idle_nodes_get_higher_ratios_than_busy_ones():
    snapshot = cluster([[gpu(0.0, 0.0, 40.0)] * 2, [gpu(0.95, 0.9, 40.0)] * 2]).build()
    decisions = run(NO_SMOOTHING, snapshot)
    assert ratios(decisions) == [(0, 100), (1, 8)]
    assert [d.reason for d in decisions] == [
        "gpu util 0%, mem free 100%: ratio 50 → 100",
        "gpu util 95%, mem free 10%: ratio 50 → 8",
    ]


def test_hot_and_throttled_gpus_lower_the_ratio():
    cool, hot = gpu(0.5, 0.5, 60.0), gpu(0.5, 0.5, 90.0)
    throttled = gpu(0.5, 0.5, 60.0, throttled=True)
    decisions = run(NO_SMOOTHING, cluster([[cool], [hot], [throttled]]).build())
    assert ratios(decisions) == [(0, 51), (1, 26), (2, 36)]
    assert decisions[1].reason == "gpu util 50%, mem free 50%, 1 hot GPU (90 °C): ratio 50 → 26"
    assert decisions[2].reason == "gpu util 50%, mem free 50%, 1 throttled GPU: ratio 50 → 36"


def test_nodes_with_different_gpu_counts_are_scored_each_over_its_own():
    # Scores are computed for the whole fleet at once, GPU position by GPU
    # position; nodes of 3, 1 and 2 GPUs (one not reporting) must not mix.
    unreported = dict(utilization=math.nan, memory_used_mib=math.nan, temperature_c=math.nan)
    snapshot = cluster([
        [gpu(0.2, 0.1, 85.0), gpu(0.9, 0.5, 40.0), gpu(0.4, 0.4, 90.0, throttled=True)],
        [gpu(0.6, 0.7, 50.0)],
        [unreported, gpu(0.1, 0.2, 40.0, throttled=True)],
    ]).build()
    decisions = run(NO_SMOOTHING, snapshot)
    assert [(d.action.member, d.action.ratio, d.reason) for d in decisions] == [
        (0, 32, "gpu util 50%, mem free 67%, 2 hot GPUs (up to 90 °C), 1 throttled GPU: ratio 50 → 32"),
        (1, 36, "gpu util 60%, mem free 30%: ratio 50 → 36"),
        (2, 60, "gpu util 10%, mem free 80%, 1 throttled GPU: ratio 50 → 60"),
    ]


def test_members_on_unhealthy_nodes_are_disabled_with_the_reason():
    builder = cluster([[gpu(0.5, 0.5, 40.0)] * 3 + [fallen()], [gpu(0.5, 0.5, 40.0)]])
    builder.node_health(1, Health.UNHEALTHY)
    assert run("{}", builder.build()) == [
        actions.set_member_state(0, MemberState.DISABLED, "GPU 3 reported XID 79 (fallen off the bus)"),
        actions.set_member_state(1, MemberState.DISABLED, "node unhealthy"),
    ]


def test_a_node_with_most_gpus_healthy_serves_on_weighted_by_them():
    settings = '{"smoothing": 0, "min_healthy_share": 0.5}'
    weak_and_full = cluster([[gpu(0.5, 0.5, 40.0)] * 3 + [fallen()], [gpu(0.5, 0.5, 40.0)] * 4])
    decisions = run(settings, weak_and_full.build())
    # Three quarters of the full node's span: 1 + 0.75 × 0.5 × 99 = 38.1.
    assert ratios(decisions) == [(0, 38), (1, 51)]
    mostly_down = cluster([[fallen()] * 3 + [gpu(0.5, 0.5, 40.0)]])
    assert run(settings, mostly_down.build()) == [
        actions.set_member_state(0, MemberState.DISABLED, "GPU 0 reported XID 79 (fallen off the bus)")
    ]


def test_members_the_policy_disabled_are_enabled_again_when_healthy():
    builder = cluster([[gpu(0.5, 0.5, 40.0)]]).node_health(0, Health.UNHEALTHY)
    host = MemoryHost()
    assert run(NO_SMOOTHING, builder.build(), host) == [
        actions.set_member_state(0, MemberState.DISABLED, "node unhealthy")
    ]
    builder.member_state(0, MemberState.DISABLED)  # the host applied it
    assert run(NO_SMOOTHING, builder.build(), host) == []
    builder.node_health(0, Health.HEALTHY)
    assert run(NO_SMOOTHING, builder.build(), host) == [
        actions.set_member_state(0, MemberState.ENABLED, "node healthy again"),
        actions.set_member_ratio(0, 51, "gpu util 50%, mem free 50%: ratio 50 → 51"),
    ]


def test_an_operators_disable_is_respected():
    builder = cluster([[gpu(0.5, 0.5, 40.0)], [gpu(0.5, 0.5, 40.0)]])
    builder.node_health(0, Health.UNHEALTHY)
    builder.member_state(0, MemberState.DISABLED).member_state(1, MemberState.FORCED_OFFLINE)
    host = MemoryHost()
    assert run("{}", builder.build(), host) == []
    builder.node_health(0, Health.HEALTHY)
    assert run("{}", builder.build(), host) == []


def test_a_member_the_operator_took_over_is_not_re_enabled():
    builder = cluster([[gpu(0.5, 0.5, 40.0)]]).node_health(0, Health.UNHEALTHY)
    host = MemoryHost()
    run("{}", builder.build(), host)
    builder.member_state(0, MemberState.FORCED_OFFLINE)
    assert run("{}", builder.build(), host) == []
    builder.node_health(0, Health.HEALTHY).member_state(0, MemberState.DISABLED)
    assert run("{}", builder.build(), host) == []


def test_members_on_stale_nodes_are_left_alone():
    builder = cluster([[gpu(1.0, 1.0, 95.0)], [gpu(1.0, 1.0, 95.0)]])
    builder.node_stale(0, True).node_health(0, Health.UNHEALTHY)
    host = MemoryHost()
    decisions = run("{}", builder.build(), host)
    assert ratios(decisions) == [(1, 1)] and len(decisions) == 1
    assert host.logged(Level.DEBUG) == ["left 1 member on stale nodes alone: gpu-node-0:8080"]


def test_members_without_a_node_or_usable_gpus_are_left_alone():
    builder = cluster([[gpu(float("nan"), float("nan"), 90.0)], []])
    builder.member(0, "unknown:8080", "10.9.9.9", 8080, 50)
    assert run("{}", builder.build()) == []


def test_smoothing_carries_across_cycles_through_state():
    host = MemoryHost()
    assert ratios(run('{"smoothing": 0.5}', cluster([[gpu(0.0, 0.0, 40.0)]]).build(), host)) == [(0, 100)]
    busy = cluster([[gpu(1.0, 1.0, 40.0)]]).member_ratio(0, 100)
    assert ratios(run('{"smoothing": 0.5}', busy.build(), host)) == [(0, 51)]  # half 100, half 1
    busy.member_ratio(0, 51)
    assert ratios(run('{"smoothing": 0.5}', busy.build(), host)) == [(0, 26)]
    assert list(host.state) == [memory.KEY]


def test_no_action_when_the_rounded_ratio_is_unchanged():
    builder = cluster([[gpu(0.0, 0.0, 40.0)], [gpu(0.5, 0.5, 40.0)]])
    builder.member_ratio(0, 100).member_ratio(1, 51)
    assert run("{}", builder.build()) == []


def test_only_the_configured_pools_are_managed():
    builder = cluster([[gpu(0.0, 0.0, 40.0)], [gpu(0.0, 0.0, 40.0)]])
    other = builder.pool("otherPool")
    builder.member(other, "gpu-node-1:9090", "10.0.0.1", 9090, 50, node=1)
    host = MemoryHost()
    decisions = run('{"pools": ["otherPool", "gonePool"]}', builder.build(), host)
    assert ratios(decisions) == [(2, 100)]
    assert host.logged(Level.WARN) == ['settings.pools: no pool named "gonePool" in the snapshot']


def test_corrupt_state_is_ignored_with_a_warning():
    host = MemoryHost(state={memory.KEY: b"garbage"})
    assert ratios(run("{}", cluster([[gpu(0.0, 0.0, 40.0)]]).build(), host)) == [(0, 100)]
    assert host.logged(Level.WARN) == [
        'ignoring unreadable state "member-memory" (byte 0: unknown format (no "fgw1" header)); starting afresh'
    ]
    memory.decode(host.state[memory.KEY])


def test_a_refused_state_write_is_logged_and_the_decisions_stand():
    host = MemoryHost(quota=8)
    assert ratios(run("{}", cluster([[gpu(0.0, 0.0, 40.0)]]).build(), host)) == [(0, 100)]
    [warning] = host.logged(Level.WARN)
    assert warning.startswith('could not save state "member-memory" (')
    assert warning.endswith(": StateError::QuotaExceeded(8)")


def test_the_state_value_is_the_rust_policys_encoding():
    # The bytes the Rust policy's fixture re-enables-what-it-disabled.toml
    # stores: in mlPool, 127.0.1.1:8000 disabled by the policy, 127.0.1.2:8000 not.
    stored = bytes.fromhex(
        "6667773106006d6c506f6f6c020000000e003132372e302e312e313a383030300000c07f01"
        "0e003132372e302e312e323a383030300000c07f00"
    )
    pools = memory.decode(stored)
    assert pools["mlPool"]["127.0.1.1:8000"] == memory.Record(None, True)
    writer = memory.Writer()
    writer.pool("mlPool")
    for name, record in pools["mlPool"].items():
        writer.member(name, record)
    # The second record is empty (nothing smoothed, not disabled): left out.
    assert writer.finish() == stored[:4] + b"\x06\x00mlPool\x01\x00\x00\x00" + stored[16:37]
