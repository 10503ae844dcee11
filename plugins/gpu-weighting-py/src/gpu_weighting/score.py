"""`FleetScores`: how much GPU capacity each node has free, 0 (none) ..= 1
(all), computed for every node of the snapshot at once, and the figures
behind each score.

A GPU's score is the weighted mean of its free memory ratio and its idle
compute (1 - utilisation), over the measurements it reported; a hot GPU's
score is cut by `hot_penalty`, a throttled one's by `throttle_penalty`. The
node's score is the mean over GPUs that reported anything usable.

Every step is rounded to f32, so scores, ratios and the percentages in
reasons are exactly the Rust policy's. The steps run column by column over
all GPUs (then all nodes), each rounding pass one `f32_each` (an
`array('f')`, kept as it is rather than as a float object per value): a
struct round trip per value is what made this policy slow inside a
component. Where the Rust policy adds to 0.0, the double sum of f32 values
is already exact and is not rounded again.
"""

import math
from operator import add

from fulcrum_policy.f32 import f32, f32_each, round_half_up

_NAN = math.nan


class FleetScores:
    """The scores of every node of one snapshot, computed on construction:
    `score[node]` (NaN when no GPU reported a usable measurement),
    `healthy_target[node]` and the `figures` behind them.

    `columns` is the snapshot's `columns.gpus`; `ranges` each node's GPU
    rows by node row (`node_gpus.gpu_ranges`)."""

    __slots__ = ("score", "span", "healthy_target", "_utilization_percent",
                 "_memory_free_percent", "_hot", "_throttled", "_ranges", "_temperature", "_is_hot")

    def __init__(self, columns, ranges, settings):
        hot_temperature_c = settings.hot_temperature_c
        compute_weight = settings.compute_weight
        memory_weight = settings.memory_weight
        hot_factor = f32(1.0 - settings.hot_penalty)
        throttle_factor = f32(1.0 - settings.throttle_penalty)

        # Per GPU, NaN standing for "not reported" (Rust's None); NaN fails
        # both comparisons of the clamp and passes through it.
        busy = [0.0 if u < 0.0 else 1.0 if u > 1.0 else u for u in columns.utilization]
        used_share = f32_each(
            [used / total if total > 0.0 else _NAN
             for used, total in zip(columns.memory_used_mib, columns.memory_total_mib)]
        )
        free = [0.0 if f < 0.0 else 1.0 if f > 1.0 else f
                for f in f32_each([1.0 - share for share in used_share])]
        compute_part = f32_each([compute_weight * idle for idle in f32_each([1.0 - b for b in busy])])
        memory_part = f32_each([memory_weight * f for f in free])
        # A GPU's sum of weights depends only on which measurements it has:
        # `weights_by_presence[has busy][has free]`.
        weights_by_presence = (
            (0.0, 0.0 + memory_weight),
            (0.0 + compute_weight, f32(0.0 + compute_weight + memory_weight)),
        )
        weighted = f32_each(
            [(0.0 + c + m if f == f else 0.0 + c) if b == b else (0.0 + m if f == f else 0.0)
             for b, c, f, m in zip(busy, compute_part, free, memory_part)]
        )
        weights = [weights_by_presence[b == b][f == f] for b, f in zip(busy, free)]
        # NaN: the GPU reported nothing it could be scored on.
        score = f32_each([w / total if total > 0.0 else _NAN for w, total in zip(weighted, weights)])
        temperature = columns.temperature_c
        throttled_column = columns.throttled
        # Only scored GPUs count as hot or throttled. Where every GPU is
        # scored, and where none is throttled (the usual fleet), the flags
        # take one simple pass or none.
        every_gpu_scored = _no_nan(score)
        if every_gpu_scored:
            is_hot = [t >= hot_temperature_c for t in temperature]
        else:
            is_hot = [t >= hot_temperature_c and s == s for t, s in zip(temperature, score)]
        if throttled_column.count(0) == len(throttled_column):
            is_throttled = [False] * len(score)
        elif every_gpu_scored:
            is_throttled = [throttled != 0 for throttled in throttled_column]
        else:
            is_throttled = [throttled != 0 and s == s for throttled, s in zip(throttled_column, score)]
        if True in is_hot:
            score = f32_each([s * hot_factor if hot else s for s, hot in zip(score, is_hot)])
        if True in is_throttled:
            score = f32_each(
                [s * throttle_factor if throttled else s for s, throttled in zip(score, is_throttled)]
            )

        # Per node: the f32 running sums of the Rust loop, taken one GPU
        # position at a time across all nodes. A GPU without the measurement
        # adds 0.0 and is not counted (`_reported`).
        positions = _Positions(ranges, len(score))
        score, scored_count = _reported(score, ranges)
        busy, busy_count = _reported(busy, ranges)
        free, free_count = _reported(free, ranges)
        # Per node row; NaN where Rust has None.
        self.score = _means(positions.sums(score), scored_count)
        self._utilization_percent = _percents(_means(positions.sums(busy), busy_count))
        self._memory_free_percent = _percents(_means(positions.sums(free), free_count))
        self._hot = _counts(ranges, is_hot)
        self._throttled = _counts(ranges, is_throttled)
        # Read by `figures` only for nodes with a hot GPU, which are few.
        self._ranges = ranges
        self._temperature = temperature
        self._is_hot = is_hot
        # Per node, the ratio it aims at with all its GPUs healthy (the Rust
        # `min_ratio + score × share × span` with share 1, where the product
        # by 1.0 is exact): most members need no more arithmetic than this.
        min_ratio = settings.min_ratio
        self.span = span = float(settings.max_ratio - min_ratio)
        self.healthy_target = f32_each(
            [min_ratio + part for part in f32_each([s * span for s in self.score])]
        )

    def figures(self, node):
        """The figures behind node row `node`'s score, for the decision's
        reason: "gpu util 92%, mem free 12%, 1 hot GPU (88 °C), 2 throttled
        GPUs"."""
        parts = []
        utilization_percent = self._utilization_percent[node]
        if utilization_percent is not None:
            parts.append(f"gpu util {utilization_percent}%")
        memory_free_percent = self._memory_free_percent[node]
        if memory_free_percent is not None:
            parts.append(f"mem free {memory_free_percent}%")
        hot = self._hot[node]
        if hot > 0:
            # Hot temperatures are at least 30 °C, so the Rust loop's
            # maximum from 0.0 is theirs.
            start, end = self._ranges[node]
            hottest_c = max(
                t for t, hot in zip(self._temperature[start:end], self._is_hot[start:end]) if hot
            )
            hottest = int(round_half_up(hottest_c))
            if hot == 1:
                parts.append(f"1 hot GPU ({hottest} °C)")
            else:
                parts.append(f"{hot} hot GPUs (up to {hottest} °C)")
        throttled = self._throttled[node]
        if throttled == 1:
            parts.append("1 throttled GPU")
        elif throttled > 1:
            parts.append(f"{throttled} throttled GPUs")
        return ", ".join(parts)


class _Positions:
    """Per GPU position on a node (first, second, ...), where every node's
    GPU at that position lies, for running sums across all nodes at once."""

    __slots__ = ("_node_count", "_selectors")

    def __init__(self, ranges, gpu_count):
        longest = max((end - start for start, end in ranges), default=0)
        self._node_count = len(ranges)
        if ranges == [(start, start + longest) for start in range(0, gpu_count, longest or 1)]:
            # The usual fleet: every node has as many GPUs, in node order, so
            # a position is a strided slice, copied in C.
            self._selectors = [slice(at, gpu_count, longest) for at in range(longest)]
        else:
            # The GPU row at that position of every node; `gpu_count` (the
            # padding, appended to the values) past a node's end.
            self._selectors = [
                [start + at if start + at < end else gpu_count for start, end in ranges]
                for at in range(longest)
            ]

    def sums(self, values):
        """Per node, the f32 sum of `values` (by GPU row, no NaN) over its
        GPUs, added in row order. The padding past a node's last GPU adds
        0.0, which leaves an f32 sum unchanged exactly."""
        padded = None
        sums = [0.0] * self._node_count
        for selector in self._selectors:
            if isinstance(selector, slice):
                at = values[selector]
            else:
                if padded is None:
                    padded = [*values, 0.0]
                at = map(padded.__getitem__, selector)
            sums = f32_each(map(add, sums, at))
        return sums


def _reported(values, ranges):
    """`(values with NaN read as 0.0, per node the count of its GPUs whose
    value is not NaN)`; the usual fleet, where every GPU reports, is spared
    two passes."""
    if _no_nan(values):
        return values, [end - start for start, end in ranges]
    return [v if v == v else 0.0 for v in values], _counts(ranges, [v == v for v in values])


def _no_nan(values):
    """Whether none of `values` (each in 0..=1, or NaN) is NaN: their sum is
    NaN exactly when one is, and `sum` is a C loop."""
    total = sum(values)
    return total == total


def _counts(ranges, flags):
    """Per node, how many of its GPUs have `flags` true."""
    if True not in flags:
        return [0] * len(ranges)
    return [sum(flags[start:end]) for start, end in ranges]


def _means(sums, counts):
    """Per node, the f32 mean `sum / count`; NaN where the count is 0."""
    return f32_each([total / count if count else _NAN for total, count in zip(sums, counts)])


def _percents(ratios):
    """Each of `ratios` (means of values in 0..=1, so finite or NaN) as a
    whole percentage, `round_half_up(f32(ratio * 100))` (the floor of the
    f32 sum with 0.5); None for NaN."""
    halves_up = f32_each([percent + 0.5 for percent in f32_each([r * 100.0 for r in ratios])])
    return [None if value != value else math.floor(value) for value in halves_up]
