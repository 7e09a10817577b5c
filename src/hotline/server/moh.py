"""The built-in hold music: a soft, loopable chord progression synthesised once into
`var/moh/default.wav` (8 kHz mono), so a fresh install plays music on hold without shipping
or downloading audio. Centers replace it with their own file (`media.moh_sources`)."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

__all__ = ["write_default_moh"]

RATE = 8000
# I–vi–IV–V in C major, two seconds each, played as gentle arpeggios over a sustained root.
_CHORDS = [
    (261.63, 329.63, 392.00),
    (220.00, 261.63, 329.63),
    (174.61, 220.00, 261.63),
    (196.00, 246.94, 293.66),
]


def _note(freq: float, seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    envelope = np.minimum(1.0, t / 0.05) * np.exp(-2.2 * t)
    tone = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(4 * np.pi * freq * t)
    return level * envelope * tone


def render(loops: int = 3) -> np.ndarray:
    bar = 2.0
    out = np.zeros(int(RATE * bar * len(_CHORDS) * loops))
    for loop in range(loops):
        for index, chord in enumerate(_CHORDS):
            start = int(RATE * bar * (loop * len(_CHORDS) + index))
            pad = _note(chord[0] / 2, bar, 0.18)
            out[start : start + pad.size] += pad
            for step in range(8):  # eighth-note arpeggio
                note = _note(chord[step % 3] * (2 if step >= 4 else 1), 0.6, 0.12)
                at = start + int(RATE * bar * step / 8)
                end = min(out.size, at + note.size)
                out[at:end] += note[: end - at]
    fade = int(RATE * 0.02)  # no click at the loop point
    out[:fade] *= np.linspace(0, 1, fade)
    out[-fade:] *= np.linspace(1, 0, fade)
    pcm: np.ndarray = np.clip(out * 1.2 * 32767, -32768, 32767).astype("<i2")
    return pcm


def write_default_moh(path: Path) -> Path:
    """Write the built-in hold music if it is not there yet; returns its path."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(render().tobytes())
    tmp.replace(path)
    return path
