"""The component boundary inside a component: the SDK's objects converted to
the bindings componentize-py generates from `wit/types.wit`, errors raised as
the contract's `Err`, the host reached through its imports."""

import wit_world
from componentize_py_types import Err
from wit_world.imports import types

from .wasm_host import WasmHost

WORLD_BASE = wit_world.WitWorld


def new_host():
    """The host's own log and state."""
    return WasmHost()


def metadata(value):
    """`Metadata` as the contract's record."""
    return types.Metadata(
        name=value.name,
        version=value.version,
        description=value.description,
        action_kinds=[types.ActionKind(int(kind)) for kind in value.action_kinds],
    )


def decisions(value):
    """`Decisions` as the contract's columnar record."""
    text, offsets = value.reason_table()
    layouts = [
        types.MigLayout(
            node=layout.node,
            gpus=list(layout.gpus),
            profiles=[types.ProfileCount(p.profile, p.count) for p in layout.profiles],
            reason=reason,
        )
        for layout, reason in value.mig_layouts
    ]
    member, state, reason = value.member_states
    return types.Decisions(
        reasons=types.StringTable(text=text, offsets=offsets),
        member_states=types.MemberStates(member=member, state=bytes(state), reason=reason),
        member_ratios=types.MemberRatios(*value.member_ratios),
        capacity_scalers=types.CapacityScalers(*value.capacity_scalers),
        group_sizes=types.GroupSizes(*value.group_sizes),
        mig_layouts=layouts,
    )


def error(message):
    """The exception that answers an export with `message`."""
    return Err(message)
