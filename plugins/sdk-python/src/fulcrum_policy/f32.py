"""Single-precision (f32) arithmetic for policies that must decide exactly as
a Rust policy computing in `f32` does.

Python floats are doubles. Rounding the double result of one `+ - * /` on f32
values to f32 gives exactly the f32 result (a double holds more than twice
f32's precision), so `f32(a * b)` after every operation reproduces Rust's
`a * b` bit for bit. Snapshot columns already hold f32 values.
"""

import math
import struct

_F32 = struct.Struct("f")


def f32(value):
    """`value` rounded to the nearest f32 (ties to even), as Rust's `as f32`;
    beyond f32's range it is ±infinity, NaN stays NaN."""
    try:
        return _F32.unpack(_F32.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def round_half_up(value):
    """Rust's `(value + 0.5).floor()` on an f32: halves round up (towards
    +infinity); returns a float."""
    return float(math.floor(f32(value + 0.5))) if math.isfinite(value) else value


def round_half_away_from_zero(value):
    """Rust's `f32::round`/`f64::round`: halves round away from zero (Python's
    `round` rounds halves to even); returns a float."""
    if not math.isfinite(value):
        return value
    magnitude = math.floor(abs(value))
    if abs(value) - magnitude >= 0.5:
        magnitude += 1
    return math.copysign(float(magnitude), value)


def saturating_u32(value):
    """Rust's `value as u32` for a float: truncated towards zero, NaN and
    negatives 0, above 4294967295 that maximum."""
    if math.isnan(value) or value <= 0:
        return 0
    return min(int(value), 0xFFFF_FFFF)
