"""`Rows`: a lazy, read-only sequence of the views of a contiguous range of
one table's rows, such as all nodes or the GPUs of one node."""

from collections.abc import Sequence


class Rows(Sequence):
    """The views of `rows` (a `range` of table rows); each view is built when
    it is read, so a range of 80,000 GPUs costs nothing until iterated."""

    __slots__ = ("_snapshot", "_columns", "_view", "rows")

    def __init__(self, snapshot, columns, view, rows):
        self._snapshot = snapshot
        self._columns = columns
        self._view = view
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, position):
        """The view at `position` in this range (not a table row), or a
        `Rows` of a slice of it."""
        if isinstance(position, slice):
            return Rows(self._snapshot, self._columns, self._view, self.rows[position])
        return self._view(self._snapshot, self._columns, self.rows[position])

    def __iter__(self):
        view, snapshot, columns = self._view, self._snapshot, self._columns
        for row in self.rows:
            yield view(snapshot, columns, row)

    def at(self, row):
        """The view of table row `row` if it lies in this range, else None."""
        if row in self.rows:
            return self._view(self._snapshot, self._columns, row)
        return None

    def find(self, predicate):
        """The first view for which `predicate(view)` is true, else None."""
        return next((view for view in self if predicate(view)), None)

    def __repr__(self):
        return f"Rows({self._view.__name__}, {self.rows.start}..{self.rows.stop})"


def children(starts, row, child_count):
    """The child rows of parent `row`: `starts[row] .. starts[row + 1]`, or to
    `child_count` for the last parent; clamped so a malformed column yields an
    empty range rather than an error."""

    def bound(at):
        return min(starts[at], child_count) if at < len(starts) else child_count

    end = bound(row + 1)
    return range(min(bound(row), end), end)
