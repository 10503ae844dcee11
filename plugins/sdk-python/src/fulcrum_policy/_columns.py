"""The one place that reads the snapshot's columns.

A column arrives either as a Python sequence (a list from the component
bindings, an `array` from the JSON loader) or as raw little-endian bytes
(`bytes`, `bytearray`, `memoryview`) holding numbers of the column's element
type. `Tables` wraps every column once per snapshot so that `column[row]`
reads one element either way: sequences are used as they are and bytes are
viewed through `memoryview.cast` in place. Nothing is copied or converted
element by element, so wrapping costs the same for 10 rows or 80,000.
"""

from types import SimpleNamespace

from ._schema import TABLES

_BYTES = (bytes, bytearray, memoryview)


def column(raw, element_type):
    """`raw` as a sequence of `element_type` values (a `struct` format)."""
    if element_type != "B" and isinstance(raw, _BYTES):
        return memoryview(raw).cast("B").cast(element_type)
    return raw


class Tables:
    """Every table of one snapshot, each a namespace of readable columns:
    `tables.gpus.utilization[row]`."""

    __slots__ = tuple(TABLES)

    def __init__(self, snapshot):
        for table, columns in TABLES.items():
            raw = getattr(snapshot, table)
            setattr(
                self,
                table,
                SimpleNamespace(
                    **{
                        name: column(getattr(raw, name), element_type)
                        for name, element_type in columns.items()
                    }
                ),
            )
