"""`Decisions`: what `decide` returns, kept in the contract's columnar form as
it is written, so handing thousands of decisions to the host is a few list
copies rather than thousands of records.

Reasons are interned: each distinct text is stored once in the reasons string
table and rows refer to it by id, so a thousand members given the same reason
carry its text once.
"""

from .actions import (
    CapacityScaler,
    Decision,
    GroupSize,
    MemberRatio,
    MemberStateChange,
    MigLayout,
    as_profile_count,
)
from .codes import MemberState
from .f32 import f32


class Decisions:
    """The decisions of one evaluation, a table per kind of action.

    Write with the `set_*` methods and `resize_group`, `push` a `Decision`, or
    build from an iterable of them. Reading back (`to_list`, iteration) goes
    kind by kind: member states, member ratios, capacity scalers, group sizes,
    MIG layouts, each in the order written; the host takes them in that order.
    """

    def __init__(self, decisions=()):
        self.reasons = []
        self._reason_ids = {}
        self.member_states = ([], bytearray(), [])
        self.member_ratios = ([], [], [])
        self.capacity_scalers = ([], [], [])
        self.group_sizes = ([], [], [])
        self.mig_layouts = []
        for decision in decisions:
            self.push(decision)

    def set_member_ratio(self, member, ratio, reason):
        """Set pool member `member`'s ratio weight to `ratio` (1..=65535)."""
        self._row(self.member_ratios, member, ratio, reason)

    def set_member_state(self, member, state, reason):
        """Set pool member `member`'s administrative state (a `MemberState`)."""
        self._row(self.member_states, member, MemberState(state), reason)

    def set_capacity_scaler(self, group, scaler, reason):
        """Set group `group`'s backend capacity scaler: exactly 0 or 0.1..=1
        (kept as the f32 the host receives)."""
        self._row(self.capacity_scalers, group, f32(scaler), reason)

    def resize_group(self, group, target_size, reason):
        """Resize managed instance group `group` to `target_size` instances."""
        self._row(self.group_sizes, group, target_size, reason)

    def set_mig_layout(self, node, gpus, profiles, reason):
        """Put `gpus` (rows, all on `node`) into the MIG layout `profiles`
        (`ProfileCount`s or `(profile, count)` pairs); none disables MIG."""
        profiles = tuple(as_profile_count(profile) for profile in profiles)
        self.mig_layouts.append((MigLayout(node, tuple(gpus), profiles), self.reason_id(reason)))

    def push(self, decision):
        """Add one `Decision`."""
        action, reason = decision.action, decision.reason
        if isinstance(action, MemberRatio):
            self.set_member_ratio(action.member, action.ratio, reason)
        elif isinstance(action, MemberStateChange):
            self.set_member_state(action.member, action.state, reason)
        elif isinstance(action, CapacityScaler):
            self.set_capacity_scaler(action.group, action.scaler, reason)
        elif isinstance(action, GroupSize):
            self.resize_group(action.group, action.target_size, reason)
        elif isinstance(action, MigLayout):
            self.set_mig_layout(action.node, action.gpus, action.profiles, reason)
        else:
            raise TypeError(f"not an action: {action!r}")

    def reason_id(self, reason):
        """The id of `reason` in the reasons table, adding it if new."""
        found = self._reason_ids.get(reason)
        if found is None:
            found = self._reason_ids[reason] = len(self.reasons)
            self.reasons.append(reason)
        return found

    def reason_table(self):
        """The reasons as the contract's string table: `(text, offsets)`,
        offsets in UTF-8 bytes, one more than there are reasons."""
        text = "".join(self.reasons)
        offsets = [0]
        total = 0
        ascii_only = text.isascii()
        for reason in self.reasons:
            total += len(reason) if ascii_only else len(reason.encode())
            offsets.append(total)
        return text, offsets

    def __len__(self):
        return (
            len(self.member_states[0])
            + len(self.member_ratios[0])
            + len(self.capacity_scalers[0])
            + len(self.group_sizes[0])
            + len(self.mig_layouts)
        )

    def __iter__(self):
        reasons = self.reasons
        for member, state, reason in zip(*self.member_states):
            yield Decision(MemberStateChange(member, MemberState(state)), reasons[reason])
        for member, ratio, reason in zip(*self.member_ratios):
            yield Decision(MemberRatio(member, ratio), reasons[reason])
        for group, scaler, reason in zip(*self.capacity_scalers):
            yield Decision(CapacityScaler(group, scaler), reasons[reason])
        for group, size, reason in zip(*self.group_sizes):
            yield Decision(GroupSize(group, size), reasons[reason])
        for layout, reason in self.mig_layouts:
            yield Decision(layout, reasons[reason])

    def to_list(self):
        """Every `Decision`, kind by kind, each kind in the order written."""
        return list(self)

    def __eq__(self, other):
        return isinstance(other, Decisions) and self.to_list() == other.to_list()

    def __repr__(self):
        return f"Decisions({self.to_list()!r})"

    def _row(self, table, target, value, reason):
        reason_id = self.reason_id(reason)
        targets, values, reason_ids = table
        targets.append(target)
        values.append(value)
        reason_ids.append(reason_id)
