"""Test audio for the call-centre acceptance tests, generated with numpy (no files committed).

Every party of a test call plays its own steady tone so that its voice can be found in what
the others heard: customer 500 Hz, first agent 1100 Hz, second agent 1700 Hz (none of them a
DTMF frequency, none a harmonic of another within G.711's band). baresip reads 8 kHz 16-bit
mono WAVs and hangs up when its file ends, so the files are longer than any test.

    .venv/bin/python tests/data/callcenter/tones.py OUT_DIR   # writes the three WAVs

Tests call `write_tone` into their temporary directory instead.
"""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import numpy as np

RATE = 8000
CUSTOMER_HZ = 500.0
AGENT1_HZ = 1100.0
AGENT2_HZ = 1700.0


def write_tone(
    path: Path,
    hz: float,
    seconds: float = 120.0,
    *,
    level: float = 0.25,
    silence_after_s: float = 0.0,
) -> Path:
    """A sine at `level` of full scale for `seconds`, then `silence_after_s` of silence."""
    t = np.arange(int(seconds * RATE)) / RATE
    pcm = (level * 32767 * np.sin(2 * np.pi * hz * t)).astype("<i2")
    if silence_after_s:
        pcm = np.concatenate([pcm, np.zeros(int(silence_after_s * RATE), "<i2")])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    for name, hz in (("customer", CUSTOMER_HZ), ("agent1", AGENT1_HZ), ("agent2", AGENT2_HZ)):
        write_tone(out / f"{name}.wav", hz)
