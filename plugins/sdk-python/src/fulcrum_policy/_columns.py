"""The one place that reads the snapshot's columns.

A column arrives either as raw little-endian bytes (`bytes`, `bytearray`,
`memoryview`) holding numbers of the column's element type, or as a Python
sequence. Inside a component it is bytes: contract 0.3.0 packs every number
column into a `list<u8>`, which componentize-py hands over as `bytes`
without creating a Python object per number. The JSON loader and the test
builder give typed `array`s. `Tables` wraps every column once per snapshot
so that `column[row]` reads one element either way: sequences are used as
they are and bytes are viewed through `memoryview.cast` in place. Nothing is
copied or converted element by element, so wrapping costs the same for 10
rows or 80,000.
"""

import sys
from array import array
from types import SimpleNamespace

from ._schema import TABLES

_BYTES = (bytes, bytearray, memoryview)

# `memoryview.cast` reads the machine's byte order; WebAssembly and the usual
# development machines are little-endian, as the contract's bytes are.
_NATIVE_IS_LITTLE_ENDIAN = sys.byteorder == "little"


def column(raw, element_type):
    """`raw` as a sequence of `element_type` values (a `struct` format)."""
    if element_type == "B" or not isinstance(raw, _BYTES):
        return raw
    if _NATIVE_IS_LITTLE_ENDIAN:
        return memoryview(raw).cast("B").cast(element_type)
    swapped = array(element_type, bytes(raw))
    swapped.byteswap()
    return swapped


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
