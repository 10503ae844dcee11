"""`RowView`: what every view of one table row shares: the snapshot it reads,
the table's columns and the row."""


class RowView:
    """One row of one table. Views are compared by snapshot and row."""

    __slots__ = ("_snapshot", "_columns", "row")

    def __init__(self, snapshot, columns, row):
        self._snapshot = snapshot
        self._columns = columns
        self.row = row

    def __eq__(self, other):
        return (
            type(other) is type(self)
            and other._snapshot is self._snapshot
            and other.row == self.row
        )

    def __hash__(self):
        return hash((type(self), id(self._snapshot), self.row))

    def __repr__(self):
        return f"{type(self).__name__}(row={self.row})"
