"""`Decisions` and the action builders: kind order, reasons interned once,
the reasons string table in UTF-8 byte offsets."""

from fulcrum_policy import Decisions, MemberState, ProfileCount, actions


def test_reads_back_kind_by_kind_in_written_order():
    decisions = Decisions()
    decisions.resize_group(0, 4, "demand")
    decisions.set_member_ratio(2, 30, "score 0.5")
    decisions.set_member_state(1, MemberState.DISABLED, "XID 79")
    decisions.set_member_ratio(1, 10, "idle")
    assert len(decisions) == 4
    assert decisions.to_list() == [
        actions.set_member_state(1, MemberState.DISABLED, "XID 79"),
        actions.set_member_ratio(2, 30, "score 0.5"),
        actions.set_member_ratio(1, 10, "idle"),
        actions.resize_group(0, 4, "demand"),
    ]


def test_each_reason_is_stored_once():
    decisions = Decisions()
    for member in range(3):
        decisions.set_member_ratio(member, 5, "idle")
    decisions.set_member_state(0, MemberState.ENABLED, "node healthy again")
    assert decisions.reasons == ["idle", "node healthy again"]
    assert decisions.member_ratios[2] == [0, 0, 0]
    assert [d.reason for d in decisions] == ["node healthy again", "idle", "idle", "idle"]


def test_reason_offsets_count_utf8_bytes():
    decisions = Decisions()
    decisions.set_member_ratio(0, 25, "40 → 25")
    decisions.set_member_ratio(1, 5, "idle")
    assert decisions.reason_table() == ("40 → 25idle", [0, 9, 13])
    assert Decisions().reason_table() == ("", [0])


def test_collects_and_pushes_every_kind():
    every_kind = [
        actions.set_member_state(0, MemberState.FORCED_OFFLINE, "b"),
        actions.set_member_ratio(0, 1, "a"),
        actions.set_capacity_scaler(1, 0.5, "c"),
        actions.resize_group(1, 2, "d"),
        actions.set_mig_layout(0, [0, 1], [ProfileCount("3g.40gb", 2), ("1g.10gb", 1)], "e"),
    ]
    decisions = Decisions(every_kind)
    assert decisions.to_list() == every_kind
    assert decisions == Decisions(reversed(every_kind))
    assert len(Decisions()) == 0


def test_capacity_scalers_are_kept_as_the_f32_the_host_receives():
    decisions = Decisions()
    decisions.set_capacity_scaler(0, 0.1, "drain")
    [decision] = decisions
    assert decision.action.scaler == 0.10000000149011612
