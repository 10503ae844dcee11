"""The contract's enums as Python enums, and the decoding of the snapshot's
enum and boolean columns.

An enum column holds one byte per row: the position of the case in the WIT
declaration (0 for the first). Each enum's value is that code. Decoding never
fails: a code past the last case (a newer host, a corrupt column) reads as the
case a policy can act on most safely, named on each enum, as the Rust SDK
reads it. A boolean byte is true when nonzero.
"""

from enum import IntEnum


class Health(IntEnum):
    """How a node or GPU is doing; an unknown code reads as `UNKNOWN`."""

    HEALTHY = 0
    DEGRADED = 1
    UNHEALTHY = 2
    UNKNOWN = 3


class MemberState(IntEnum):
    """A pool member's administrative state; an unknown code reads as
    `FORCED_OFFLINE`, the conservative reading (a member in a state the policy
    does not know is taken to receive no traffic)."""

    ENABLED = 0
    DISABLED = 1
    FORCED_OFFLINE = 2


class Availability(IntEnum):
    """What the load balancer's monitors say; an unknown code reads as `UNKNOWN`."""

    AVAILABLE = 0
    OFFLINE = 1
    UNKNOWN = 2


class InstanceStatus(IntEnum):
    """A managed instance's lifecycle status; an unknown code reads as
    `ABSENT` (the instance is not known to exist)."""

    PROVISIONING = 0
    STAGING = 1
    RUNNING = 2
    STOPPING = 3
    STOPPED = 4
    SUSPENDING = 5
    SUSPENDED = 6
    TERMINATED = 7
    ABSENT = 8


class InstanceAction(IntEnum):
    """What the group manager is doing to an instance; an unknown code reads
    as `NONE`."""

    NONE = 0
    CREATING = 1
    CREATING_WITHOUT_RETRIES = 2
    RECREATING = 3
    DELETING = 4
    ABANDONING = 5
    RESTARTING = 6
    REFRESHING = 7
    VERIFYING = 8


class ActionKind(IntEnum):
    """The kinds of action a policy may declare and propose."""

    MEMBER_RATIO = 0
    MEMBER_STATE = 1
    CAPACITY_SCALER = 2
    GROUP_SIZE = 3
    MIG_LAYOUT = 4


class Level(IntEnum):
    """Severity of a log message."""

    TRACE = 0
    DEBUG = 1
    INFO = 2
    WARN = 3
    ERROR = 4


def _decoder(enum, fallback):
    """A table of all 256 byte codes to cases, past the last case `fallback`."""
    return tuple(enum(code) if code < len(enum) else fallback for code in range(256))


# Indexed by a column's byte: one tuple lookup per read.
HEALTH_BY_CODE = _decoder(Health, Health.UNKNOWN)
MEMBER_STATE_BY_CODE = _decoder(MemberState, MemberState.FORCED_OFFLINE)
AVAILABILITY_BY_CODE = _decoder(Availability, Availability.UNKNOWN)
INSTANCE_STATUS_BY_CODE = _decoder(InstanceStatus, InstanceStatus.ABSENT)
INSTANCE_ACTION_BY_CODE = _decoder(InstanceAction, InstanceAction.NONE)
