"""`GpuUuid`: NVIDIA's text form and the snapshot's two 64-bit halves."""

import pytest

from fulcrum_policy import GpuUuid


def test_reads_and_writes_nvidia_form():
    text = "GPU-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f"
    uuid = GpuUuid.parse(text)
    assert str(uuid) == text
    assert uuid.halves() == (0x8A2C6D3E1F4B4C5D, 0x9E6F0A1B2C3D4E5F)
    assert GpuUuid.from_halves(*uuid.halves()) == uuid
    assert GpuUuid.from_halves(0, 0) is None


@pytest.mark.parametrize("text", ["", "GPU-aaaa", "MIG-8a2c6d3e-1f4b-4c5d-9e6f-0a1b2c3d4e5f"])
def test_other_text_is_refused_with_the_form(text):
    with pytest.raises(ValueError, match="is not a GPU UUID"):
        GpuUuid.parse(text)
