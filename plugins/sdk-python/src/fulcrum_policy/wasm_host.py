"""`WasmHost`: the host's `log` and `state` imports, for a policy running as
a component. Importable only inside one (it imports the bindings that
componentize-py generates at build time)."""

from componentize_py_types import Err
from wit_world.imports import log as wit_log
from wit_world.imports import state as wit_state

from .host import StateError


class WasmHost:
    """The host services of the running component."""

    def log(self, level, message):
        """Write `message` to the host's log at `level` (a `Level`)."""
        wit_log.log(wit_log.Level(int(level)), message)

    def state_get(self, key):
        """The bytes stored under `key`, or None."""
        return wit_state.get(key)

    def state_set(self, key, value):
        """Store `value` under `key`; raises `StateError` when refused."""
        try:
            wit_state.set(key, bytes(value))
        except Err as refused:
            error = refused.value
            if isinstance(error, wit_state.StateError_QuotaExceeded):
                raise StateError("quota-exceeded", error.value) from None
            raise StateError("invalid-key") from None

    def state_delete(self, key):
        """Remove `key`; an absent key is no error."""
        wit_state.delete(key)
