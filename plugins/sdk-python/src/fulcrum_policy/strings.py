"""`Strings`: the snapshot's interned strings, read by string id.

String `i` is `text[offsets[i] .. offsets[i + 1]]` in UTF-8 bytes. When the
text is ASCII (the usual case) bytes and characters coincide and the text is
sliced directly; otherwise the text is encoded once and each string decoded
on first read and kept.
"""

from ._columns import column
from ._schema import NONE


class Strings:
    """The string table of one snapshot."""

    __slots__ = ("_text", "_offsets", "_utf8", "_decoded")

    def __init__(self, table):
        self._text = table.text
        self._offsets = column(table.offsets, "I")
        self._utf8 = None if table.text.isascii() else table.text.encode()
        self._decoded = {}

    def __len__(self):
        return max(len(self._offsets) - 1, 0)

    def get(self, string_id):
        """String `string_id`; None when it is `none`, outside the table, or
        does not slice the text on character boundaries."""
        if string_id == NONE or not 0 <= string_id < len(self._offsets) - 1:
            return None
        start, end = self._offsets[string_id], self._offsets[string_id + 1]
        if self._utf8 is None:
            return self._text[start:end] if start <= end <= len(self._text) else None
        found = self._decoded.get(string_id)
        if found is None and start <= end <= len(self._utf8):
            try:
                found = self._decoded[string_id] = self._utf8[start:end].decode()
            except UnicodeDecodeError:
                return None
        return found
