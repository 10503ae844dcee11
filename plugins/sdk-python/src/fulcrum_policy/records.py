"""`snapshot_record`: a snapshot as plain Python objects shaped like the
record the component bindings hand to `decide` (attributes named as in the
contract, one sequence per column), for snapshots loaded from JSON or built
in tests.

Columns get the element types the host sends: f32 columns are rounded to f32
(`array('f')`), so a policy computes on exactly the values it would see in a
component; enum and boolean columns are `bytes`, as the bindings give them.
"""

from array import array
from types import SimpleNamespace

from ._schema import TABLES


def typed_column(values, element_type):
    """`values` stored as the contract's element type (a `struct` format)."""
    if element_type == "B":
        return bytes(values)
    return array(element_type, values)


def snapshot_record(version, time_ms, text, offsets, tables):
    """The snapshot whose tables are `tables[table][column]` (lists of values,
    every column of `_schema.TABLES` present)."""
    return SimpleNamespace(
        version=version,
        time_ms=time_ms,
        strings=SimpleNamespace(text=text, offsets=typed_column(offsets, "I")),
        **{
            table: SimpleNamespace(
                **{
                    name: typed_column(tables[table][name], element_type)
                    for name, element_type in columns.items()
                }
            )
            for table, columns in TABLES.items()
        },
    )
