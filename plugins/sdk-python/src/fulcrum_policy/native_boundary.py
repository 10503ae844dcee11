"""The component boundary under plain CPython, for tests: values pass through
as the SDK's own objects, errors are `PolicyError`s, the host is in memory."""

from . import policy
from .host import MemoryHost

WORLD_BASE = object


def new_host():
    """A fresh in-memory host: dict state, captured log."""
    return MemoryHost()


def metadata(value):
    """The policy's `Metadata`, as it is."""
    return value


def decisions(value):
    """The policy's `Decisions`, as they are."""
    return value


def error(message):
    """The exception that answers an export with `message`."""
    return policy.PolicyError(message)
