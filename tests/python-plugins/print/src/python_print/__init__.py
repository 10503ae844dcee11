"""`test-python-print`: a Python policy that prints. Each `decide` prints one
line to stdout with how many nodes it sees and the sandbox's clock and a
random number, writes a warning to stderr, logs through the host, and
decides nothing. Built unmodified with componentize-py (no stubbed WASI),
it shows that `print`, clocks and randomness work in the sandbox.
"""

import random
import sys
import time

from fulcrum_policy import ActionKind, Decisions, Level, Metadata, Policy, export


class PythonPrint(Policy):
    """Prints what it sees; decides nothing."""

    metadata = Metadata(
        name="test-python-print",
        version="0.1.0",
        description="Prints what it sees and decides nothing",
        action_kinds=(ActionKind.MEMBER_RATIO,),
    )

    @classmethod
    def configure(cls, settings):
        return cls()

    def decide(self, snapshot, host):
        nodes = len(snapshot.nodes)
        print(f"python sees {nodes} nodes at {time.time():.0f} s, drew {random.random():.3f}")
        print("python warns on stderr", file=sys.stderr)
        host.log(Level.INFO, "python logged through the host")
        return Decisions()


WitWorld = export(PythonPrint)
