"""`Policy`: what a policy author writes, and `export`, which turns it into the
component's exports (`metadata`, `configure`, `decide` of the `policy` world).

A policy module defines a `Policy` subclass and ends with

    WitWorld = export(MyPolicy)

componentize-py looks for the `WitWorld` class in the module it builds. The
host calls `configure(settings)` then `decide(snapshot)` in a fresh instance
for every evaluation, so the configured policy lives in the exported class
between the two calls and nothing survives an evaluation except the state.
"""

import sys
from dataclasses import dataclass

from .snapshot_view import SnapshotView


class PolicyError(Exception):
    """Raise from `configure` or `decide` to answer with this message as the
    contract's error (from `configure`: name the setting and what is wrong)."""


@dataclass(frozen=True)
class Metadata:
    """Name (kebab-case), version, a one-line description and every kind of
    action (`ActionKind`) `decide` may return."""

    name: str
    version: str
    description: str
    action_kinds: tuple


class Policy:
    """Base of a policy. Subclasses set `metadata` and implement `configure`
    (a classmethod that validates the JSON settings text and returns the
    configured policy, raising `PolicyError` naming the setting) and
    `decide(snapshot, host)` (a `SnapshotView` and a host; returns `Decisions`)."""

    metadata: Metadata

    @classmethod
    def configure(cls, settings):
        raise NotImplementedError(f"{cls.__name__}.configure")

    def decide(self, snapshot, host):
        raise NotImplementedError(f"{type(self).__name__}.decide")


def _boundary():
    """The conversions at the component boundary: the contract's types inside
    a component, the SDK's own objects under plain CPython."""
    if sys.platform == "wasi":
        from . import wasm_boundary

        return wasm_boundary
    from . import native_boundary

    return native_boundary


def export(policy_class):
    """The `WitWorld` class that serves `policy_class` as the component's exports.

    Under plain CPython the same class runs in tests: errors are raised as
    `PolicyError`, `decide` returns `Decisions`, and the host is the class's
    `host`, a `MemoryHost`."""
    boundary = _boundary()
    configured = []

    class WitWorld(boundary.WORLD_BASE):
        host = boundary.new_host()

        def metadata(self):
            return boundary.metadata(policy_class.metadata)

        def configure(self, settings):
            configured.clear()
            try:
                configured.append(policy_class.configure(settings))
            except PolicyError as refused:
                raise boundary.error(str(refused)) from refused
            except Exception as failed:
                raise boundary.error(_failure("configure", failed)) from failed

        def decide(self, snapshot):
            if not configured:
                raise boundary.error("decide called before configure")
            try:
                decisions = configured[0].decide(SnapshotView(snapshot), WitWorld.host)
            except PolicyError as refused:
                raise boundary.error(str(refused)) from refused
            except Exception as failed:
                raise boundary.error(_failure("decide", failed)) from failed
            return boundary.decisions(decisions)

    WitWorld.__qualname__ = WitWorld.__name__ = "WitWorld"
    return WitWorld


def _failure(export_name, error):
    """The message for an unexpected exception: which export, what was raised."""
    return f"{export_name} failed: {type(error).__name__}: {error}"
