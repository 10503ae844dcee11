"""`export`: the component's exports around a `Policy`, run under plain
CPython with the in-memory host."""

import pytest

from fulcrum_policy import (
    ActionKind,
    Decisions,
    Level,
    Metadata,
    Policy,
    PolicyError,
    actions,
    export,
)
from fulcrum_policy.testing import SnapshotBuilder


class Echo(Policy):
    """Answers with the snapshot version as a member ratio; logs its settings."""

    metadata = Metadata("echo", "0.0.0", "test policy", (ActionKind.MEMBER_RATIO,))

    def __init__(self, settings):
        self.settings = settings

    @classmethod
    def configure(cls, settings):
        if settings == "bad":
            raise PolicyError("settings: bad on purpose")
        if settings == "crash":
            raise KeyError("boom")
        return cls(settings)

    def decide(self, snapshot, host):
        if self.settings == "fail":
            return 1 / 0
        host.log(Level.INFO, self.settings)
        host.state_set("seen", str(snapshot.version).encode())
        return Decisions([actions.set_member_ratio(0, snapshot.version, "version")])


def test_decide_uses_the_configured_policy_and_the_memory_host():
    world = export(Echo)()
    assert world.metadata() == Echo.metadata
    world.configure('{"x":1}')
    decisions = world.decide(SnapshotBuilder().version(7).build())
    assert decisions.to_list() == [actions.set_member_ratio(0, 7, "version")]
    assert world.host.logs == [(Level.INFO, '{"x":1}')]
    assert world.host.state == {"seen": b"7"}


def test_decide_before_configure_is_an_error():
    with pytest.raises(PolicyError, match="^decide called before configure$"):
        export(Echo)().decide(SnapshotBuilder().build())


def test_configure_errors_are_answered_with_their_message():
    world = export(Echo)()
    with pytest.raises(PolicyError, match="^settings: bad on purpose$"):
        world.configure("bad")
    with pytest.raises(PolicyError, match="^configure failed: KeyError: 'boom'$"):
        world.configure("crash")
    with pytest.raises(PolicyError, match="^decide called before configure$"):
        world.decide(SnapshotBuilder().build())


def test_an_exception_in_decide_is_answered_naming_it():
    world = export(Echo)()
    world.configure("fail")
    with pytest.raises(PolicyError, match="^decide failed: ZeroDivisionError: division by zero$"):
        world.decide(SnapshotBuilder().build())
