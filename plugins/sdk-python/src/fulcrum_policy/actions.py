"""One proposed change at a time: the action types, `Decision` (an action and
its reason) and one function per kind of action that builds a `Decision`.

Rows are those of the snapshot being decided on (`MemberView.row`,
`GroupView.row`, ...). The reason is shown to operators and kept in the audit
log: say why in a short sentence ("GPU 3 at 91 °C, throttled: ratio 40 → 25").
`Decisions` collects these, or is written to directly.
"""

from dataclasses import dataclass

from .codes import MemberState


@dataclass(frozen=True)
class MemberRatio:
    """Set pool member `member`'s ratio weight to `ratio` (1..=65535)."""

    member: int
    ratio: int


@dataclass(frozen=True)
class MemberStateChange:
    """Set pool member `member`'s administrative state."""

    member: int
    state: MemberState


@dataclass(frozen=True)
class CapacityScaler:
    """Set instance group `group`'s backend capacity scaler: 0 or 0.1..=1."""

    group: int
    scaler: float


@dataclass(frozen=True)
class GroupSize:
    """Resize managed instance group `group` to `target_size` instances."""

    group: int
    target_size: int


@dataclass(frozen=True)
class ProfileCount:
    """How many instances of one MIG profile ("1g.10gb") a layout holds."""

    profile: str
    count: int


def as_profile_count(profile):
    """`profile` as a `ProfileCount`; a `(profile, count)` pair is taken too."""
    return profile if isinstance(profile, ProfileCount) else ProfileCount(*profile)


@dataclass(frozen=True)
class MigLayout:
    """Put `gpus` (rows in `gpus`, all on `node`) into the layout `profiles`;
    no profiles disables MIG on them."""

    node: int
    gpus: tuple
    profiles: tuple


@dataclass(frozen=True)
class Decision:
    """An action with the reason for it."""

    action: object
    reason: str


def set_member_ratio(member, ratio, reason):
    """Set pool member `member`'s ratio weight to `ratio` (1..=65535)."""
    return Decision(MemberRatio(member, ratio), reason)


def set_member_state(member, state, reason):
    """Set pool member `member`'s administrative state (a `MemberState`)."""
    return Decision(MemberStateChange(member, MemberState(state)), reason)


def set_capacity_scaler(group, scaler, reason):
    """Set group `group`'s backend capacity scaler: exactly 0 (drained) or 0.1..=1."""
    return Decision(CapacityScaler(group, scaler), reason)


def resize_group(group, target_size, reason):
    """Resize managed instance group `group` to `target_size` instances."""
    return Decision(GroupSize(group, target_size), reason)


def set_mig_layout(node, gpus, profiles, reason):
    """Put `gpus` of `node` into the MIG layout `profiles` (`ProfileCount`s,
    or `(profile, count)` pairs); no profiles disables MIG on them."""
    profiles = tuple(as_profile_count(profile) for profile in profiles)
    return Decision(MigLayout(node, tuple(gpus), profiles), reason)
