"""The f32 helpers: rounding as Rust's f32 arithmetic and rounding functions do."""

import math

from fulcrum_policy.f32 import (
    f32,
    f32_each,
    round_half_away_from_zero,
    round_half_up,
    saturating_u32,
)


def test_f32_rounds_to_single_precision():
    assert f32(0.1) == 0.10000000149011612
    assert f32(16_777_217.0) == 16_777_216.0  # 2^24 + 1 ties to even
    assert f32(1e39) == math.inf and f32(-1e39) == -math.inf
    assert math.isnan(f32(math.nan))


def test_f32_each_rounds_every_value_as_f32_does():
    values = [0.1, 16_777_217.0, 1e39, -1e39, 3.4028235677973366e38, 1e-46, -0.0, 2.0 / 3.0]
    rounded = list(f32_each(values))
    assert [math.copysign(1.0, x) for x in rounded] == [math.copysign(1.0, f32(x)) for x in values]
    assert rounded == [f32(x) for x in values]
    assert math.isnan(f32_each([math.nan])[0])


def test_rounding_halves():
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, -0.5, -1.5)] == [1.0, 2.0, 3.0, 0.0, -1.0]
    assert [round_half_away_from_zero(x) for x in (0.5, 1.5, 2.5, -0.5, -2.5, 2.4)] == [
        1.0, 2.0, 3.0, -1.0, -3.0, 2.0]
    assert round(2.5) == 2  # what Python's own round would have given
    # 0.49999997 + 0.5 rounds to 1.0 in f32, in Rust as here.
    assert round_half_up(f32(0.49999997)) == 1.0


def test_saturating_u32_is_rusts_as_u32():
    assert [saturating_u32(x) for x in (math.nan, -3.0, 2.9, 5e9)] == [0, 0, 2, 4_294_967_295]
