"""One evaluation: read memory, walk the managed pools' members in row order,
decide each one, write memory back.

Per member, in this order:
1. no known node: nothing to go on, leave it alone;
2. stale node: leave it alone (logged once per cycle at debug);
3. unhealthy node (judged so by the host, or with fewer than
   `min_healthy_share` of its GPUs healthy) and `disable_unhealthy`: disable
   it if it is enabled, and remember that this policy did; no ratio changes;
4. a node fit to serve again and a member this policy disabled that is still
   disabled: enable it again (an operator's own disable is never undone);
5. enabled member on a node whose GPUs reported: move its ratio towards
   `min_ratio + score × healthy share × (max_ratio − min_ratio)`, smoothed
   over cycles (in f32, as the Rust policy), and propose it when the rounded
   ratio differs from the current one.
"""

from fulcrum_policy import Decisions, Level, MemberState, StateError
from fulcrum_policy.f32 import f32, round_half_up, saturating_u32

from . import memory
from .health import NODE_UNHEALTHY, assess
from .memory import EMPTY, Record
from .node_gpus import gpu_ranges
from .score import FleetScores

# The state bytes of enabled and disabled members (every other code, unknown
# ones included, reads as forced offline).
ENABLED = int(MemberState.ENABLED)
DISABLED = int(MemberState.DISABLED)

# Members on stale nodes named in the debug line; the rest are counted.
STALE_NAMED = 5


def decide(settings, snapshot, host):
    """The `Decisions` for every managed member of `snapshot` (a `SnapshotView`)."""
    stored = host.state_get(memory.KEY)
    previous = {}
    if stored is not None:
        try:
            previous = memory.decode(stored)
        except memory.Corrupt as corrupt:
            host.log(
                Level.WARN,
                f'ignoring unreadable state "{memory.KEY}" ({corrupt}); starting afresh',
            )

    decisions = Decisions()
    next_memory = memory.Writer()
    # The members' and nodes' columns are read directly: a view per member,
    # node and GPU costs more than the decision itself inside a component.
    columns = snapshot.columns
    members = columns.members
    member_names = members.name
    member_nodes = members.node
    string = snapshot.string
    node_stale = columns.nodes.stale
    ranges = gpu_ranges(columns)
    node_count = len(ranges)
    scores = None
    stale = []
    stale_count = 0
    for pool in snapshot.pools:
        pool_name = pool.name
        if not settings.manages(pool_name):
            continue
        remembered = previous.get(pool_name, {})
        next_memory.pool(pool_name)
        for row in pool.members.rows:
            name = string(member_names[row])
            before = remembered.get(name, EMPTY)
            node = member_nodes[row]
            if node >= node_count:
                after = before
            elif node_stale[node] != 0:
                stale_count += 1
                if len(stale) < STALE_NAMED:
                    stale.append(name)
                after = before
            else:
                if scores is None:
                    scores = FleetScores(columns.gpus, ranges, settings)
                after = _decide_member(
                    settings, columns, row, node, ranges[node], before, decisions, scores
                )
            next_memory.member(name, after)

    if stale_count:
        more = stale_count - len(stale)
        more = f" and {more} more" if more > 0 else ""
        members = "member" if stale_count == 1 else "members"
        host.log(
            Level.DEBUG,
            f"left {stale_count} {members} on stale nodes alone: {', '.join(stale)}{more}",
        )
    for missing in settings.pools or ():
        if snapshot.pool_by_name(missing) is None:
            host.log(Level.WARN, f'settings.pools: no pool named "{missing}" in the snapshot')
    _store(host, stored, next_memory.finish())
    return decisions


def _decide_member(settings, columns, member, node, gpu_rows, before, decisions, scores):
    """Decide on member row `member`, whose node (row `node`, GPU rows
    `gpu_rows`) is known and fresh; returns the `Record` to remember."""
    state = columns.members.state[member]
    # A member stays "ours" only while it is still disabled: if an operator
    # enabled it or forced it offline since, it is theirs again.
    disabled_by_policy = before.disabled_by_policy and state == DISABLED
    smoothed = before.smoothed

    # A node the host judged unhealthy, or with too few healthy GPUs, is
    # taken out; one with a few GPUs down serves on with what it has.
    problem, share = assess(columns, node, *gpu_rows)
    take_out = problem is not None and (
        problem == NODE_UNHEALTHY or share < settings.min_healthy_share
    )
    if take_out and settings.disable_unhealthy:
        if state == ENABLED:
            decisions.set_member_state(member, MemberState.DISABLED, problem)
            disabled_by_policy = True
        return Record(smoothed, disabled_by_policy)
    if take_out and disabled_by_policy:
        # Ours, and still unhealthy: it stays off until the node recovers.
        return Record(smoothed, disabled_by_policy)
    if not take_out and disabled_by_policy:
        decisions.set_member_state(member, MemberState.ENABLED, "node healthy again")
        disabled_by_policy = False
        state = ENABLED
    if state != ENABLED:
        return Record(smoothed, disabled_by_policy)
    score = scores.score[node]
    if score != score:
        # No GPU reported a usable measurement.
        return Record(smoothed, disabled_by_policy)

    if share == 1.0:
        target = scores.healthy_target[node]
    else:
        target = f32(settings.min_ratio + f32(f32(score * share) * scores.span))
    if smoothed is None:
        smoothed = target
    else:
        smoothing = settings.smoothing
        smoothed = f32(f32(smoothing * smoothed) + f32(f32(1.0 - smoothing) * target))
    ratio = min(max(saturating_u32(round_half_up(smoothed)), settings.min_ratio), settings.max_ratio)
    current = columns.members.ratio[member]
    if ratio != current:
        figures = scores.figures(node)
        decisions.set_member_ratio(member, ratio, f"{figures}: ratio {current} → {ratio}")
    return Record(smoothed, disabled_by_policy)


def _store(host, stored, encoded):
    """Write this cycle's memory; a refused write is logged, not fatal (the
    decisions stand, only smoothing and re-enabling lose memory)."""
    if encoded is None:
        if stored is not None:
            host.state_delete(memory.KEY)
        return
    try:
        host.state_set(memory.KEY, encoded)
    except StateError as error:
        host.log(
            Level.WARN,
            f'could not save state "{memory.KEY}" ({len(encoded)} bytes): {error}',
        )
