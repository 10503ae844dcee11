"""`GpuUuid`: a GPU's UUID, which the snapshot carries as 128 bits in two
halves (`gpus.uuid_high`, `gpus.uuid_low`) and people read as NVIDIA's
`GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`."""

import re

_NVIDIA_FORM = re.compile(r"GPU-([0-9a-fA-F]{8})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{4})-([0-9a-fA-F]{12})")


class GpuUuid:
    """A GPU UUID, its 128 bits in `bits`."""

    __slots__ = ("bits",)

    def __init__(self, bits):
        self.bits = bits

    @classmethod
    def from_halves(cls, high, low):
        """The UUID whose first 8 bytes are `high` and last 8 `low`; None for
        the contract's "no UUID", both 0."""
        bits = (high << 64) | low
        return cls(bits) if bits else None

    @classmethod
    def parse(cls, text):
        """The UUID `text` spells; ValueError naming the expected form otherwise."""
        match = _NVIDIA_FORM.fullmatch(text)
        if match is None:
            raise ValueError(
                f"{text!r} is not a GPU UUID (GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
            )
        return cls(int("".join(match.groups()), 16))

    def halves(self):
        """`(high, low)`: the first 8 bytes and the last 8, as the columns hold them."""
        return self.bits >> 64, self.bits & 0xFFFF_FFFF_FFFF_FFFF

    def __str__(self):
        hex_digits = f"{self.bits:032x}"
        return "GPU-{}-{}-{}-{}-{}".format(
            hex_digits[:8], hex_digits[8:12], hex_digits[12:16], hex_digits[16:20], hex_digits[20:]
        )

    def __repr__(self):
        return f"GpuUuid({str(self)!r})"

    def __eq__(self, other):
        return isinstance(other, GpuUuid) and other.bits == self.bits

    def __hash__(self):
        return hash(self.bits)
