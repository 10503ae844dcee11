"""Snapshots from JSON, as `host snapshot --json` prints them: the contract's
columns by name, NaN readings as null.

Bad input is refused with `SnapshotFormatError` naming the field and what is
wrong with it ("snapshot.gpus.utilization[3]: expected a number or null, got
'busy'"), so a hand-edited fixture fails clearly rather than deep in a policy.
"""

import json
import math

from ._schema import TABLES
from .records import snapshot_record

_UNSIGNED_BITS = {"B": 8, "H": 16, "I": 32, "Q": 64}


class SnapshotFormatError(ValueError):
    """JSON that is not a snapshot of the contract; the message names the field."""


def load_snapshot(path):
    """The snapshot in the JSON file at `path`."""
    with open(path, encoding="utf-8") as file:
        return snapshot_from_json(file.read())


def snapshot_from_json(text):
    """The snapshot in JSON `text`."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotFormatError(f"snapshot: not JSON: {error}") from None
    root = _object(document, "snapshot")
    _only(root, ["version", "time_ms", "strings", *TABLES], "snapshot")
    strings = _object(_field(root, "strings", "snapshot"), "snapshot.strings")
    _only(strings, ["text", "offsets"], "snapshot.strings")
    text = _field(strings, "text", "snapshot.strings")
    if not isinstance(text, str):
        raise SnapshotFormatError(f"snapshot.strings.text: expected a string, got {_shown(text)}")
    return snapshot_record(
        version=_unsigned(_field(root, "version", "snapshot"), "Q", "snapshot.version"),
        time_ms=_unsigned(_field(root, "time_ms", "snapshot"), "Q", "snapshot.time_ms"),
        text=text,
        offsets=_column(strings, "offsets", "I", "snapshot.strings"),
        tables={table: _table(root, table, columns) for table, columns in TABLES.items()},
    )


def _table(root, table, columns):
    where = f"snapshot.{table}"
    fields = _object(_field(root, table, "snapshot"), where)
    _only(fields, list(columns), where)
    read = {name: _column(fields, name, element_type, where) for name, element_type in columns.items()}
    first = next(iter(columns))
    for name, values in read.items():
        if len(values) != len(read[first]):
            raise SnapshotFormatError(
                f"{where}.{name}: has {len(values)} rows but {where}.{first} has {len(read[first])}"
            )
    return read


def _column(fields, name, element_type, where):
    values = _field(fields, name, where)
    path = f"{where}.{name}"
    if not isinstance(values, list):
        raise SnapshotFormatError(f"{path}: expected a list, got {_shown(values)}")
    if element_type in "fd":
        return [_number(value, f"{path}[{at}]") for at, value in enumerate(values)]
    return [_unsigned(value, element_type, f"{path}[{at}]") for at, value in enumerate(values)]


def _number(value, where):
    if value is None:
        return math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    raise SnapshotFormatError(f"{where}: expected a number or null, got {_shown(value)}")


def _unsigned(value, element_type, where):
    bits = _UNSIGNED_BITS[element_type]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1 << bits:
        return value
    raise SnapshotFormatError(
        f"{where}: expected an integer in 0..={(1 << bits) - 1}, got {_shown(value)}"
    )


def _object(value, where):
    if not isinstance(value, dict):
        raise SnapshotFormatError(f"{where}: expected an object, got {_shown(value)}")
    return value


def _field(fields, name, where):
    if name not in fields:
        raise SnapshotFormatError(f"{where}.{name}: missing")
    return fields[name]


def _only(fields, known, where):
    for name in fields:
        if name not in known:
            raise SnapshotFormatError(
                f"{where}.{name}: not a field of the contract (fulcrum:policy@0.3.0)"
            )


def _shown(value):
    """`value` for an error message, cut short."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
