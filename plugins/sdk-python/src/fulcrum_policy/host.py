"""What a policy may ask of the host while deciding: log lines and a small
key-value state that survives between evaluations (`wit/types.wit`, the `log`
and `state` interfaces).

`decide` receives a host object with `log`, `state_get`, `state_set` and
`state_delete`. Inside a component it is `WasmHost` (the host's imports);
under plain CPython it is a `MemoryHost`, which keeps state in a dict and
captures log lines, so the same policy code runs in pytest.
"""

from .codes import Level


class StateError(Exception):
    """A refused state write: `kind` is "invalid-key" (keys are 1..=256 bytes)
    or "quota-exceeded" (`quota` is the policy's quota in bytes). Its text is
    the Rust SDK's: "StateError::InvalidKey", "StateError::QuotaExceeded(1024)"."""

    def __init__(self, kind, quota=None):
        self.kind = kind
        self.quota = quota
        text = "StateError::InvalidKey" if kind == "invalid-key" else f"StateError::QuotaExceeded({quota})"
        super().__init__(text)

    def __eq__(self, other):
        return isinstance(other, StateError) and (other.kind, other.quota) == (self.kind, self.quota)

    def __hash__(self):
        return hash((self.kind, self.quota))


class MemoryHost:
    """An in-memory host that follows the contract's state rules: keys are
    1..=256 bytes and every entry counts its key, its value and 64 bytes of
    keeping against `quota` (1 MiB unless given). It keeps every log line
    whole in `logs`, as `(Level, message)`. Writes are not rolled back when
    `decide` fails, unlike the host's."""

    DEFAULT_QUOTA = 1 << 20
    ENTRY_OVERHEAD = 64

    def __init__(self, quota=DEFAULT_QUOTA, state=None):
        self.quota = quota
        self.state = dict(state or {})
        self.logs = []

    def log(self, level, message):
        """Record `message` at `level` (a `Level`)."""
        self.logs.append((Level(level), message))

    def logged(self, level):
        """The messages logged at `level`, in order."""
        return [message for at, message in self.logs if at == level]

    def state_get(self, key):
        """The bytes stored under `key`, or None."""
        return self.state.get(key)

    def state_set(self, key, value):
        """Store `value` (bytes) under `key`; raises `StateError` as the host refuses."""
        if not 1 <= len(key.encode()) <= 256:
            raise StateError("invalid-key")
        old = self.state.get(key)
        replaced = 0 if old is None else self._entry_bytes(key, old)
        if self.used_bytes() - replaced + self._entry_bytes(key, value) > self.quota:
            raise StateError("quota-exceeded", self.quota)
        self.state[key] = bytes(value)

    def state_delete(self, key):
        """Remove `key`; an absent key is no error."""
        self.state.pop(key, None)

    def used_bytes(self):
        """Bytes the state counts against the quota now."""
        return sum(self._entry_bytes(key, value) for key, value in self.state.items())

    def _entry_bytes(self, key, value):
        return len(key.encode()) + len(value) + self.ENTRY_OVERHEAD
