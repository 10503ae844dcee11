"""`Settings`: the operator's knobs, parsed from the policy's JSON settings.

Every key is optional and unknown keys are refused. Errors name the setting
and read as the Rust policy's do (`settings.max_ratio: 0 is out of range;
expected 1..=65535`); all range errors are reported together, joined by "; ".
Weights, penalties and temperatures are kept as f32, as the Rust policy
computes with them.
"""

import json
from dataclasses import dataclass, fields

from fulcrum_policy import PolicyError
from fulcrum_policy.f32 import f32

from .json_types import (
    TypeMismatch,
    read_bool,
    read_float,
    read_strings,
    read_unsigned,
    rust_float,
    unexpected,
)


@dataclass(frozen=True)
class Settings:
    """How the policy weighs GPUs and turns the result into ratios."""

    # Weight of free GPU memory in a GPU's score, 0..=1.
    memory_weight: float = 0.5
    # Weight of idle compute (1 - utilisation) in a GPU's score, 0..=1.
    compute_weight: float = 0.5
    # Ratio of a member whose GPUs are all busy, 1..=65535.
    min_ratio: int = 1
    # Ratio of a member whose GPUs are all idle, above min_ratio.
    max_ratio: int = 100
    # A GPU at or above this temperature (°C) is hot, 30..=120.
    hot_temperature_c: float = 83.0
    # Fraction taken off a hot GPU's score, 0..=1.
    hot_penalty: float = 0.5
    # Fraction taken off a throttled GPU's score, 0..=1.
    throttle_penalty: float = 0.3
    # Weight of the previous smoothed ratio, 0 <= s < 1; 0 applies each target at once.
    smoothing: float = 0.5
    # Disable members on unhealthy nodes, and enable them again once healthy.
    disable_unhealthy: bool = True
    # Share of a node's GPUs, 0..=1, that must be healthy for its member to serve on.
    min_healthy_share: float = 1.0
    # The pools to manage by name; None manages every pool.
    pools: tuple = None

    def manages(self, pool):
        """Whether the policy manages the pool named `pool`."""
        return self.pools is None or pool in self.pools


# Each setting's reader: the JSON type it takes.
_READERS = {
    "memory_weight": read_float,
    "compute_weight": read_float,
    "min_ratio": read_unsigned,
    "max_ratio": read_unsigned,
    "hot_temperature_c": read_float,
    "hot_penalty": read_float,
    "throttle_penalty": read_float,
    "smoothing": read_float,
    "disable_unhealthy": read_bool,
    "min_healthy_share": read_float,
    "pools": read_strings,
}

_FRACTION = (lambda v: 0.0 <= v <= 1.0, "0..=1")
_RATIO = (lambda r: 1 <= r <= 65_535, "1..=65535")
# Each checked setting: what is valid and how the error says so, in the
# order the Rust policy checks (and so reports) them.
_RANGES = {
    "memory_weight": _FRACTION,
    "compute_weight": _FRACTION,
    "min_ratio": _RATIO,
    "max_ratio": _RATIO,
    "hot_temperature_c": (lambda t: 30.0 <= t <= 120.0, "30..=120"),
    "hot_penalty": _FRACTION,
    "throttle_penalty": _FRACTION,
    "smoothing": (lambda s: 0.0 <= s < 1.0, "0 ≤ smoothing < 1"),
    "min_healthy_share": _FRACTION,
}


def parse_settings(text):
    """The validated `Settings` in JSON `text`; `PolicyError` naming every
    setting that is wrong otherwise."""
    given = _read(text)
    defaults = Settings()
    errors = []
    values = {}
    for name, (valid, expected) in _RANGES.items():
        value = given.get(name)
        if value is None:
            continue
        if valid(value):
            values[name] = value if name.endswith("_ratio") else f32(value)
        else:
            shown = value if name.endswith("_ratio") else rust_float(value)
            errors.append(f"settings.{name}: {shown} is out of range; expected {expected}")
    if given.get("disable_unhealthy") is not None:
        values["disable_unhealthy"] = given["disable_unhealthy"]
    if given.get("pools") is not None:
        values["pools"] = tuple(given["pools"])
    # Range errors keep the default, as in the Rust policy, so the checks
    # below see the same values it does.
    settings = Settings(**{**{f.name: getattr(defaults, f.name) for f in fields(Settings)}, **values})
    if settings.memory_weight == 0.0 and settings.compute_weight == 0.0:
        errors.append(
            "settings.memory_weight, settings.compute_weight: both are 0; at least one must be positive"
        )
    if settings.min_ratio >= settings.max_ratio:
        errors.append(
            f"settings.min_ratio: {settings.min_ratio} must be less than max_ratio ({settings.max_ratio})"
        )
    if settings.pools == ():
        errors.append(
            "settings.pools: an empty list manages no pool; leave it out to manage every pool"
        )
    if errors:
        raise PolicyError("; ".join(errors))
    return settings


def _read(text):
    """The settings object's values by key, each of its setting's JSON type."""
    try:
        document = json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        raise PolicyError(f"settings: expected a JSON object: {error}") from None
    if not isinstance(document, dict):
        raise PolicyError(
            f"settings: expected a JSON object: invalid type: {unexpected(document)}, expected a map"
        )
    # Keys in sorted order, the order the Rust policy's JSON map keeps them in,
    # so the first error reported is the same.
    keys = sorted(document)
    unknown = [key for key in keys if key not in _READERS]
    if unknown:
        expected = ", ".join(f"`{name}`" for name in _READERS)
        raise PolicyError(f"settings: unknown field `{unknown[0]}`, expected one of {expected}")
    values = {}
    for key in keys:
        try:
            values[key] = _READERS[key](document[key])
        except TypeMismatch as mismatch:
            raise PolicyError(f"settings.{key}: {mismatch}") from None
    return values


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")
