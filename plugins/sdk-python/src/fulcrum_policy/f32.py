"""Single-precision (f32) arithmetic for policies that must decide exactly as
a Rust policy computing in `f32` does.

Python floats are doubles. Rounding the double result of one `+ - * /` on f32
values to f32 gives exactly the f32 result (a double holds more than twice
f32's precision), so `f32(a * b)` after every operation reproduces Rust's
`a * b` bit for bit. Snapshot columns already hold f32 values.

`f32` rounds one value through a struct round trip; `f32_each` rounds a whole
column of them in one C loop, for policies that compute column by column.
"""

import math
import struct
from array import array

# Bound once: `f32` runs in every f32 step of a policy, and inside a
# component each attribute lookup costs.
_pack_f32 = struct.Struct("f").pack
_unpack_f32 = struct.Struct("f").unpack


def f32(value):
    """`value` rounded to the nearest f32 (ties to even), as Rust's `as f32`;
    beyond f32's range it is ±infinity, NaN stays NaN."""
    try:
        return _unpack_f32(_pack_f32(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def f32_each(values):
    """Each of `values` (an iterable of floats) rounded as `f32` rounds it, as
    an `array('f')` that reads back as floats: the C conversion to float
    rounds to nearest, ties to even, and overflows to ±infinity, exactly as
    `f32`; 4 bytes per value rather than a float object each."""
    return array("f", values)


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
