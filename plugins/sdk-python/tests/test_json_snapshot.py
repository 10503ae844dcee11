"""Snapshots from `host snapshot --json`: read as the component receives them
(f32 columns rounded to f32, null as NaN), bad input refused naming the field."""

import json
import math
from pathlib import Path

import pytest

from fulcrum_policy import SnapshotFormatError, SnapshotView, snapshot_from_json

FIXTURE = Path(__file__).parent / "fixtures" / "fleet-cycle1.json"


def fleet():
    return json.loads(FIXTURE.read_text())


def refused(document):
    with pytest.raises(SnapshotFormatError) as error:
        snapshot_from_json(json.dumps(document))
    return str(error.value)


def test_null_readings_are_nan_and_floats_are_f32():
    document = fleet()
    document["gpus"]["utilization"][0] = None
    document["gpus"]["temperature_c"][0] = 0.1
    gpu = SnapshotView(snapshot_from_json(json.dumps(document))).gpus[0]
    assert math.isnan(gpu.utilization)
    assert gpu.temperature_c == 0.10000000149011612


def test_a_wrong_value_is_named_with_its_row():
    document = fleet()
    document["gpus"]["utilization"][3] = "busy"
    assert refused(document) == 'snapshot.gpus.utilization[3]: expected a number or null, got "busy"'
    document = fleet()
    document["members"]["state"][1] = 256
    assert refused(document) == "snapshot.members.state[1]: expected an integer in 0..=255, got 256"


def test_missing_unknown_and_uneven_columns_are_named():
    document = fleet()
    del document["nodes"]["stale"]
    assert refused(document) == "snapshot.nodes.stale: missing"
    document = fleet()
    document["nodes"]["colour"] = []
    assert refused(document) == "snapshot.nodes.colour: not a field of the contract (fulcrum:policy@0.3.0)"
    document = fleet()
    document["members"]["ratio"].pop()
    assert refused(document) == "snapshot.members.ratio: has 2 rows but snapshot.members.pool has 3"
    document = fleet()
    document["labels"] = []
    assert refused(document) == "snapshot.labels: expected an object, got []"


def test_text_that_is_not_json_is_refused():
    with pytest.raises(SnapshotFormatError, match="^snapshot: not JSON: "):
        snapshot_from_json("{")
