"""The column adapter: number columns handed over as raw little-endian bytes
read exactly as the same columns handed over as sequences."""

from pathlib import Path

from fulcrum_policy import SnapshotView, load_snapshot
from fulcrum_policy._columns import column
from fulcrum_policy._schema import TABLES

FIXTURES = Path(__file__).parent / "fixtures"


def everything(view):
    """What a policy can read through the views, as plain values."""
    return (
        [(n.name, n.health, n.stale, n.telemetry_age_ms, n.labels, [g.row for g in n.gpus])
         for n in view.nodes],
        [(g.index, g.uuid, g.utilization, g.memory_used_mib, g.temperature_c, g.power_limit_w,
          g.throttled, [m.profile for m in g.mig_instances]) for g in view.gpus],
        [(m.name, m.port, m.ratio, m.state, m.node and m.node.row) for m in view.members],
        [(g.name, g.capacity_scaler, [(i.name, i.status, i.node and i.node.row) for i in g.instances])
         for g in view.instance_groups],
        list(view.signals),
    )


def as_bytes(snapshot):
    """`snapshot` with every number column replaced by its raw bytes."""
    for table, columns in TABLES.items():
        raw = getattr(snapshot, table)
        for name, element_type in columns.items():
            if element_type != "B":
                setattr(raw, name, getattr(raw, name).tobytes())
    snapshot.strings.offsets = snapshot.strings.offsets.tobytes()
    return snapshot


def test_bytes_columns_read_like_sequences():
    path = FIXTURES / "fleet-cycle1.json"
    assert everything(SnapshotView(as_bytes(load_snapshot(path)))) == everything(
        SnapshotView(load_snapshot(path)))


def test_bytes_are_viewed_in_place_not_copied():
    raw = bytearray(b"\x00\x00\x80\x3f" * 2)  # two f32 1.0
    floats = column(raw, "f")
    assert list(floats) == [1.0, 1.0]
    raw[4:8] = b"\x00\x00\x00\x40"  # the second becomes 2.0
    assert floats[1] == 2.0


def test_sequences_pass_through():
    values = [1, 2, 3]
    assert column(values, "I") is values
    assert column(b"\x01\x02", "B") == b"\x01\x02"
