"""`NodeScore`: how much GPU capacity a node has free, 0 (none) ..= 1 (all).

A GPU's score is the weighted mean of its free memory ratio and its idle
compute (1 - utilisation), over the measurements it reported; a hot GPU's
score is cut by `hot_penalty`, a throttled one's by `throttle_penalty`. The
node's score is the mean over GPUs that reported anything usable.

Every step is rounded to f32 (`f32(...)` after each operation), so scores,
ratios and the percentages in reasons are exactly the Rust policy's.
"""

import math
from dataclasses import dataclass

from fulcrum_policy.f32 import f32, round_half_up


@dataclass(frozen=True)
class NodeScore:
    """A node's score and the figures behind it, for the decision's reason."""

    # Mean score of the GPUs that reported, 0..=1.
    score: float
    # Mean utilisation of the GPUs that reported it; None when none did.
    utilization: float
    # Mean free memory ratio of the GPUs that reported it; None when none did.
    memory_free: float
    # GPUs at or above the hot temperature, and the hottest one's temperature.
    hot: int
    hottest_c: float
    # GPUs clock-throttled.
    throttled: int

    def figures(self):
        """The figures behind the score: "gpu util 92%, mem free 12%, 1 hot
        GPU (88 °C), 2 throttled GPUs"."""
        parts = []
        if self.utilization is not None:
            parts.append(f"gpu util {_percent(self.utilization)}%")
        if self.memory_free is not None:
            parts.append(f"mem free {_percent(self.memory_free)}%")
        if self.hot > 0:
            hottest = int(round_half_up(self.hottest_c))
            if self.hot == 1:
                parts.append(f"1 hot GPU ({hottest} °C)")
            else:
                parts.append(f"{self.hot} hot GPUs (up to {hottest} °C)")
        if self.throttled == 1:
            parts.append("1 throttled GPU")
        elif self.throttled > 1:
            parts.append(f"{self.throttled} throttled GPUs")
        return ", ".join(parts)


def score_node(node, columns, settings):
    """Score `node`'s GPUs; None when no GPU reported a usable measurement.

    `columns` is the snapshot's `columns.gpus`: this runs for every node, so
    it reads the GPU columns by row rather than through a view per GPU."""
    utilization_column = columns.utilization
    used_column = columns.memory_used_mib
    total_column = columns.memory_total_mib
    temperature_column = columns.temperature_c
    throttled_column = columns.throttled
    compute_weight = settings.compute_weight
    memory_weight = settings.memory_weight
    hot_temperature_c = settings.hot_temperature_c
    hot_factor = f32(1.0 - settings.hot_penalty)
    throttle_factor = f32(1.0 - settings.throttle_penalty)

    score_sum = utilization_sum = free_sum = 0.0
    scored = utilizations = frees = hot = throttled = 0
    hottest_c = 0.0
    for row in node.gpus.rows:
        busy = _measured(utilization_column[row])
        total = total_column[row]
        free = _measured(f32(1.0 - f32(used_column[row] / total))) if total > 0.0 else None
        if busy is not None:
            utilization_sum = f32(utilization_sum + busy)
            utilizations += 1
        if free is not None:
            free_sum = f32(free_sum + free)
            frees += 1

        weighted = weights = 0.0
        if busy is not None:
            weighted = f32(weighted + f32(compute_weight * f32(1.0 - busy)))
            weights = f32(weights + compute_weight)
        if free is not None:
            weighted = f32(weighted + f32(memory_weight * free))
            weights = f32(weights + memory_weight)
        if weights <= 0.0:
            continue
        score = f32(weighted / weights)
        temperature = temperature_column[row]
        if temperature >= hot_temperature_c:
            score = f32(score * hot_factor)
            hot += 1
            hottest_c = max(hottest_c, temperature)
        if throttled_column[row] != 0:
            score = f32(score * throttle_factor)
            throttled += 1
        score_sum = f32(score_sum + score)
        scored += 1

    if scored == 0:
        return None
    return NodeScore(
        score=_mean(score_sum, scored),
        utilization=_mean(utilization_sum, utilizations),
        memory_free=_mean(free_sum, frees),
        hot=hot,
        hottest_c=hottest_c,
        throttled=throttled,
    )


def _measured(value):
    """`value` clamped to 0..=1, or None when it is NaN (not reported)."""
    if math.isnan(value):
        return None
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def _mean(total, count):
    return f32(total / count) if count else None


def _percent(ratio):
    return int(round_half_up(f32(ratio * 100.0)))
