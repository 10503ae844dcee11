"""`gpu-weighting-py`: a Fulcrum policy that weights load-balancer pool members
by how much GPU capacity their node has free; the Python port of
`plugins/gpu-weighting`, making the same decisions with the same reasons and
keeping the same state.

Each cycle, for every member of the managed pools whose node is known:

- the node's GPUs are scored from free memory and idle compute, with hot and
  throttled GPUs penalised (`score`); the member's ratio moves towards
  `min_ratio + score × (max_ratio − min_ratio)`, smoothed over cycles, and is
  proposed only when the rounded value changes;
- a member on an unhealthy node is disabled, and enabled again once the node
  is healthy, if this policy disabled it (`health`); with `min_healthy_share`
  below 1 a node keeping that share of its GPUs healthy serves on, its ratio
  scaled by the healthy share;
- members on stale nodes are left alone.

Settings, all optional (`settings`):

    { "memory_weight": 0.5, "compute_weight": 0.5, "min_ratio": 1, "max_ratio": 100,
      "hot_temperature_c": 83, "hot_penalty": 0.5, "throttle_penalty": 0.3,
      "smoothing": 0.5, "disable_unhealthy": true, "min_healthy_share": 1.0,
      "pools": ["mlPool"] }

This module is what componentize-py builds: it ends with the `WitWorld` export.
"""

from fulcrum_policy import ActionKind, Metadata, Policy, export

from .decide import decide
from .settings import parse_settings


class GpuWeighting(Policy):
    """The policy, configured with validated `Settings`."""

    metadata = Metadata(
        name="gpu-weighting-py",
        version="0.1.0",
        description="Weights pool members by their node's free GPU capacity; "
        "disables members on unhealthy nodes (Python)",
        action_kinds=(ActionKind.MEMBER_RATIO, ActionKind.MEMBER_STATE),
    )

    def __init__(self, settings):
        self.settings = settings

    @classmethod
    def configure(cls, settings):
        return cls(parse_settings(settings))

    def decide(self, snapshot, host):
        return decide(self.settings, snapshot, host)


WitWorld = export(GpuWeighting)
