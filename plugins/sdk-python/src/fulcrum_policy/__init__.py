"""The Python SDK for writing Fulcrum policies (`fulcrum:policy@0.3.0`).

A policy is a WebAssembly component built from a Python module with
componentize-py: the host hands it a columnar snapshot of the cluster and it
answers with decisions. This package hides the component plumbing:

- `SnapshotView` and the row views (`NodeView`, `GpuView`, `MigView`,
  `PoolView`, `MemberView`, `GroupView`, `InstanceView`): read-only views
  over the snapshot's columns, strings resolved, enums typed;
- `Decisions` and the `actions` builders: what `decide` returns;
- `Policy`, `Metadata`, `PolicyError` and `export`: a policy module defines a
  `Policy` subclass and ends with `WitWorld = export(MyPolicy)`;
- the host (`log`, `state`): `WasmHost` in a component, `MemoryHost` under
  plain CPython, so policies run in pytest;
- `load_snapshot` / `snapshot_from_json`: snapshots printed by
  `host snapshot --json`, for tests; `testing.SnapshotBuilder` builds them;
- `f32`: single-precision helpers for deciding exactly as a Rust policy does.
"""

from . import actions
from .actions import Decision, ProfileCount
from .codes import (
    ActionKind,
    Availability,
    Health,
    InstanceAction,
    InstanceStatus,
    Level,
    MemberState,
)
from .decisions import Decisions
from .gpu_uuid import GpuUuid
from .gpu_view import GpuView, MigView
from .group_view import GroupView, InstanceView
from .host import MemoryHost, StateError
from .json_snapshot import SnapshotFormatError, load_snapshot, snapshot_from_json
from .node_view import NodeView
from .policy import Metadata, Policy, PolicyError, export
from .pool_view import MemberView, PoolView
from .rows import Rows
from .snapshot_view import SnapshotView
from ._schema import NONE

__all__ = [
    "NONE",
    "ActionKind",
    "Availability",
    "Decision",
    "Decisions",
    "GpuUuid",
    "GpuView",
    "GroupView",
    "Health",
    "InstanceAction",
    "InstanceStatus",
    "InstanceView",
    "Level",
    "MemberState",
    "MemberView",
    "MemoryHost",
    "Metadata",
    "MigView",
    "NodeView",
    "Policy",
    "PolicyError",
    "PoolView",
    "ProfileCount",
    "Rows",
    "SnapshotFormatError",
    "SnapshotView",
    "StateError",
    "actions",
    "export",
    "load_snapshot",
    "snapshot_from_json",
]
