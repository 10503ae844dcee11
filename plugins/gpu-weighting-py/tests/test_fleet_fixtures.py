"""The Python policy on snapshots of the embedded fleet (`host snapshot --json
--cycle N`), against the decisions the Rust policy made on the same
snapshots in the host (`host plan` for cycle 1; `host run --dry-run` with
smoothing 0 for cycle 30, where ml-node-2 runs hot and throttled)."""

from pathlib import Path

from conftest import run

from fulcrum_policy import actions, load_snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def test_cycle_1_as_the_rust_policy_plans_it():
    decisions = run("{}", load_snapshot(FIXTURES / "fleet-cycle1.json"))
    assert decisions == [
        actions.set_member_ratio(member, 84, "gpu util 0%, mem free 68%: ratio 1 → 84")
        for member in range(3)
    ]


def test_cycle_30_hot_and_throttled_as_the_rust_policy_decides_it():
    decisions = run('{"smoothing": 0}', load_snapshot(FIXTURES / "fleet-cycle30.json"))
    assert decisions == [
        actions.set_member_ratio(0, 46, "gpu util 48%, mem free 39%: ratio 1 → 46"),
        actions.set_member_ratio(
            1, 11,
            "gpu util 69%, mem free 27%, 8 hot GPUs (up to 91 °C), 8 throttled GPUs: ratio 1 → 11",
        ),
        actions.set_member_ratio(2, 15, "gpu util 87%, mem free 16%: ratio 1 → 15"),
    ]
