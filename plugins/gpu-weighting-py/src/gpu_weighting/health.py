"""Why a node counts as unhealthy, said the way an operator would, and the
share of its GPUs that are healthy, read from the snapshot's columns.

A node is unhealthy when the host judged it so, or when any of its GPUs is
unhealthy (a fatal XID, or unreachable). Degraded and unknown health do not
count: stale telemetry is handled apart, and a warning is no reason to take
capacity away.
"""

from fulcrum_policy import Health
from fulcrum_policy.f32 import f32

# What the XIDs that most often take a GPU out mean (NVIDIA's XID catalogue).
XID_MEANINGS = {
    13: "graphics engine exception",
    31: "GPU memory page fault",
    43: "GPU stopped processing",
    45: "preemptive cleanup",
    48: "double-bit ECC error",
    61: "internal micro-controller breakpoint",
    62: "internal micro-controller halt",
    63: "row remapping recorded",
    64: "row remapping failed",
    74: "NVLink error",
    79: "fallen off the bus",
    92: "high single-bit ECC error rate",
    94: "contained ECC error",
    95: "uncontained ECC error",
    119: "GSP RPC timeout",
    120: "GSP error",
}

# The problem of a node the host judged unhealthy without a GPU saying why.
NODE_UNHEALTHY = "node unhealthy"

# The health byte of an unhealthy node or GPU (every other code, unknown ones
# included, reads as a health that is not `UNHEALTHY`).
UNHEALTHY = int(Health.UNHEALTHY)


def assess(columns, node, start, end):
    """`(problem, share)` of node row `node`, whose GPU rows are `start ..
    end`: the first thing wrong with it as the reason to give ("GPU 3
    reported XID 79 (fallen off the bus)", "GPU 3 unhealthy", "node
    unhealthy"), or None when it is not unhealthy; and the share of its GPUs
    that are not unhealthy, an f32 (1 for a node without GPUs)."""
    gpus = columns.gpus
    health = gpus.health[start:end]
    if UNHEALTHY not in health:
        # The common case: every GPU healthy, a share of exactly 1.0.
        return (NODE_UNHEALTHY if columns.nodes.health[node] == UNHEALTHY else None), 1.0
    row = start + health.index(UNHEALTHY)
    share = f32((end - start - health.count(UNHEALTHY)) / (end - start))
    index = gpus.index[row]
    xid = gpus.last_xid[row]
    if xid == 0:
        return f"GPU {index} unhealthy", share
    meaning = XID_MEANINGS.get(xid)
    suffix = f" ({meaning})" if meaning else ""
    return f"GPU {index} reported XID {xid}{suffix}", share
