"""`MemoryHost`, the in-memory log and state used under plain CPython: the
contract's key and quota rules, log lines captured in order."""

import pytest

from fulcrum_policy import Level, MemoryHost, StateError


def test_stores_replaces_and_deletes():
    host = MemoryHost()
    assert host.state_get("k") is None
    host.state_set("k", b"one")
    host.state_set("k", b"two")
    assert host.state_get("k") == b"two"
    host.state_delete("k")
    host.state_delete("k")
    assert host.state_get("k") is None


def test_keys_are_1_to_256_bytes():
    host = MemoryHost()
    for key in ("", "k" * 257, "ü" * 129):
        with pytest.raises(StateError) as refused:
            host.state_set(key, b"v")
        assert (refused.value.kind, str(refused.value)) == ("invalid-key", "StateError::InvalidKey")
    host.state_set("k" * 256, b"v")


def test_every_entry_counts_key_value_and_64_bytes_against_the_quota():
    host = MemoryHost(quota=2 * 64 + 10)
    host.state_set("ab", b"12345678")
    with pytest.raises(StateError) as refused:
        host.state_set("c", b"1")
    assert refused.value == StateError("quota-exceeded", 138)
    assert str(refused.value) == "StateError::QuotaExceeded(138)"
    host.state_set("ab", b"1234")  # replacing frees the old value first
    host.state_set("c", b"1")
    assert host.used_bytes() == 2 * 64 + 8


def test_log_lines_are_kept_in_order():
    host = MemoryHost()
    host.log(Level.WARN, "first")
    host.log(Level.DEBUG, "second")
    host.log(Level.WARN, "third")
    assert host.logged(Level.WARN) == ["first", "third"]
    assert host.logs[1] == (Level.DEBUG, "second")
