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
from dataclasses import dataclass

KEY = "member-memory"

_MAGIC = b"fgw1"
_DISABLED_BY_POLICY = 1
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_F32 = struct.Struct("<f")
_NAN_F32 = _F32.pack(math.nan)


@dataclass(frozen=True)
class Record:
    """What the policy remembers about one member."""

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
            (smoothed,) = _F32.unpack(reader.take(4))
            (flags,) = reader.take(1)
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

    def name(self):
        (length,) = _U16.unpack(self.take(2))
        start = self.at
        try:
            return bytes(self.take(length)).decode()
        except UnicodeDecodeError:
            raise Corrupt(start, "name is not UTF-8") from None


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
        smoothed = _NAN_F32 if record.smoothed is None else _F32.pack(record.smoothed)
        flags = b"\x01" if record.disabled_by_policy else b"\x00"
        self._members.append(_U16.pack(len(encoded)) + encoded + smoothed + flags)

    def finish(self):
        """The encoded value; None when there is nothing to remember."""
        self._end_pool()
        self._pool_header = None
        return b"".join(self._parts) if len(self._parts) > 1 else None

    def _end_pool(self):
        if self._members:
            self._parts += [self._pool_header, _U32.pack(len(self._members)), *self._members]
        self._members = []
