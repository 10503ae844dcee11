"""What the policy remembers about each member between cycles, in the Rust
policy's encoding, under the same state key, so either policy can read what
the other stored.

Everything lives under one key, `KEY`: a cycle costs one `get` and at most
one `set` however many members there are. The value (integers little-endian):

    b"fgw1"                                  magic and format version
    then per pool, until the end:
      u16 name length, name (UTF-8)
      u32 member count
      per member: u16 name length, name (UTF-8),
                  f32 smoothed ratio (NaN: none),
                  u8 flags (bit 0: disabled by this policy)

Members are keyed by pool and member name. Where a pool name is stored twice
the first counts; where a member name is stored twice in a pool, the last.
"""

import math
import struct
from typing import NamedTuple

KEY = "member-memory"

_MAGIC = b"fgw1"
_DISABLED_BY_POLICY = 1
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
# A member's smoothed ratio and flags, read and written together.
_F32_U8 = struct.Struct("<fB")


class Record(NamedTuple):
    """What the policy remembers about one member (a named tuple: one is
    built per member per cycle, and a tuple is the cheapest to build)."""

    # The unrounded smoothed ratio (an f32) of the last cycle that scored it.
    smoothed: float = None
    # This policy disabled the member (so it may enable it again).
    disabled_by_policy: bool = False


EMPTY = Record()


class Corrupt(Exception):
    """A stored value that does not decode: "byte 11: truncated"."""

    def __init__(self, at, what):
        super().__init__(f"byte {at}: {what}")


def decode(data):
    """The stored records: `{pool name: {member name: Record}}`."""
    reader = _Reader(data)
    if reader.take(len(_MAGIC)) != _MAGIC:
        raise Corrupt(0, 'unknown format (no "fgw1" header)')
    pools = {}
    while reader.at < len(data):
        pool = reader.name()
        members = {}
        for _ in range(reader.u32()):
            name = reader.name()
            smoothed, flags = reader.smoothed_and_flags()
            members[name] = Record(
                smoothed if math.isfinite(smoothed) else None,
                flags & _DISABLED_BY_POLICY != 0,
            )
        pools.setdefault(pool, members)
    return pools


class _Reader:
    """Reads the encoding front to back, naming where it breaks off."""

    def __init__(self, data):
        self.data = data
        self.at = 0

    def take(self, count):
        if self.at + count > len(self.data):
            raise Corrupt(self.at, "truncated")
        taken = self.data[self.at : self.at + count]
        self.at += count
        return taken

    def u32(self):
        return _U32.unpack(self.take(4))[0]

    # `name` and `smoothed_and_flags` run once per member: they unpack in
    # place (`unpack_from`) rather than through `take`'s slices.

    def name(self):
        data, at = self.data, self.at
        if at + 2 > len(data):
            raise Corrupt(at, "truncated")
        (length,) = _U16.unpack_from(data, at)
        start = at + 2
        end = start + length
        if end > len(data):
            raise Corrupt(start, "truncated")
        self.at = end
        try:
            return bytes(data[start:end]).decode()
        except UnicodeDecodeError:
            raise Corrupt(start, "name is not UTF-8") from None

    def smoothed_and_flags(self):
        data, at = self.data, self.at
        if at + 5 > len(data):
            raise Corrupt(at if at + 4 > len(data) else at + 4, "truncated")
        self.at = at + 5
        return _F32_U8.unpack_from(data, at)


class Writer:
    """Encodes this cycle's records, pool by pool, in the order given; empty
    records, pools without records and names too long to encode are left out."""

    def __init__(self):
        self._parts = [_MAGIC]
        self._pool_header = None
        self._members = []

    def pool(self, name):
        """Start the records of pool `name`; ends the previous pool."""
        self._end_pool()
        encoded = name.encode()
        self._pool_header = _U16.pack(len(encoded)) + encoded if len(encoded) <= 0xFFFF else None

    def member(self, name, record):
        """Record `record` for member `name` of the current pool."""
        if record == EMPTY or self._pool_header is None:
            return
        encoded = name.encode()
        if len(encoded) > 0xFFFF:
            return
        smoothed = math.nan if record.smoothed is None else record.smoothed
        flags = _DISABLED_BY_POLICY if record.disabled_by_policy else 0
        self._members.append(_U16.pack(len(encoded)) + encoded + _F32_U8.pack(smoothed, flags))

    def finish(self):
        """The encoded value; None when there is nothing to remember."""
        self._end_pool()
        self._pool_header = None
        return b"".join(self._parts) if len(self._parts) > 1 else None

    def _end_pool(self):
        if self._members:
            self._parts += [self._pool_header, _U32.pack(len(self._members)), *self._members]
        self._members = []
