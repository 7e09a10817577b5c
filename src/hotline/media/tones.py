"""Call-progress tones (China: YD/T 1970 — 450 Hz ringback 1 s on / 4 s off, busy 0.35/0.35),
beeps and DTMF tone pairs (ITU-T Q.23), generated as 8 kHz int16 frames with continuous phase.

Levels are in dBm0 (ITU-T G.711: a sine of +3.17 dBm0 just reaches µ-law full scale).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt

__all__ = [
    "BEEP",
    "CN_BUSY",
    "CN_DIAL",
    "CN_RINGBACK",
    "DTMF_FREQUENCIES",
    "RATE",
    "ToneGenerator",
    "ToneSpec",
    "amplitude_of_dbm0",
    "dtmf_tone",
    "render",
    "sine",
]

Pcm = npt.NDArray[np.int16]
RATE = 8000
_PEAK_0DBM0 = 32767 * 10 ** (-3.17 / 20)

# Q.23 keypad: digit -> (low group Hz, high group Hz).
DTMF_FREQUENCIES: dict[str, tuple[float, float]] = {
    digit: (low, high)
    for row, low in zip(("123A", "456B", "789C", "*0#D"), (697.0, 770.0, 852.0, 941.0), strict=True)
    for digit, high in zip(row, (1209.0, 1336.0, 1477.0, 1633.0), strict=True)
}


def amplitude_of_dbm0(level_dbm0: float) -> float:
    """Peak amplitude (16-bit scale) of a sine at `level_dbm0`."""
    return float(_PEAK_0DBM0 * 10 ** (level_dbm0 / 20))


def sine(
    components: list[tuple[float, float]], samples: int, *, start: int = 0, rate: int = RATE
) -> npt.NDArray[np.float64]:
    """Sum of sines given as (frequency Hz, level dBm0), from sample index `start`."""
    n = np.arange(start, start + samples, dtype=np.float64)
    out = np.zeros(samples, dtype=np.float64)
    for frequency, level in components:
        out += amplitude_of_dbm0(level) * np.sin(2 * math.pi * frequency * n / rate)
    return out


def _to_pcm(signal: npt.NDArray[np.float64]) -> Pcm:
    pcm: Pcm = np.clip(np.rint(signal), -32768, 32767).astype(np.int16)
    return pcm


def dtmf_tone(
    digit: str,
    duration_ms: float,
    *,
    level_dbm0: float = -10.0,
    twist_db: float = 0.0,
    frequency_error: float = 0.0,
) -> Pcm:
    """A DTMF tone pair. `twist_db` > 0 makes the high tone louder (forward twist);
    `frequency_error` is a relative deviation applied to both tones (0.015 = +1.5 %)."""
    low, high = DTMF_FREQUENCIES[digit]
    samples = round(duration_ms * RATE / 1000)
    return _to_pcm(
        sine(
            [
                (low * (1 + frequency_error), level_dbm0 - twist_db / 2),
                (high * (1 + frequency_error), level_dbm0 + twist_db / 2),
            ],
            samples,
        )
    )


@dataclasses.dataclass(frozen=True, slots=True)
class ToneSpec:
    """A tone: frequencies at a level, with an on/off cadence in seconds (empty = steady).

    `repeat=False` plays the cadence once (a beep); otherwise it loops until stopped.
    """

    name: str
    frequencies: tuple[float, ...]
    cadence: tuple[float, ...] = ()
    level_dbm0: float = -13.0
    repeat: bool = True

    def __post_init__(self) -> None:
        if len(self.cadence) % 2 and self.repeat:
            raise ValueError("a repeating cadence needs on/off pairs")
        if any(c <= 0 for c in self.cadence):
            raise ValueError("cadence durations must be positive")

    @property
    def period_samples(self) -> int:
        return round(sum(self.cadence) * RATE)


CN_RINGBACK = ToneSpec("ringback", (450.0,), (1.0, 4.0))
CN_BUSY = ToneSpec("busy", (450.0,), (0.35, 0.35))
CN_DIAL = ToneSpec("dial", (450.0,))
BEEP = ToneSpec("beep", (1000.0,), (0.25,), level_dbm0=-10.0, repeat=False)


class ToneGenerator:
    """Frames of a `ToneSpec`; `next_frame()` returns None once a non-repeating tone is over."""

    def __init__(self, spec: ToneSpec) -> None:
        self.spec = spec
        self._position = 0
        self._components = [(f, spec.level_dbm0) for f in spec.frequencies]
        # Cadence as sample boundaries: [on_end, off_end, on_end, ...]
        self._edges = np.cumsum([round(c * RATE) for c in spec.cadence]).tolist()

    def next_frame(self, samples: int = 160) -> Pcm | None:
        spec = self.spec
        if not spec.repeat and spec.cadence and self._position >= self._edges[-1]:
            return None
        signal = sine(self._components, samples, start=self._position)
        if spec.cadence:
            positions = np.arange(self._position, self._position + samples)
            if spec.repeat:
                positions %= self.spec.period_samples
            # Index of the cadence segment each sample falls in: even = on, odd = off.
            segment = np.searchsorted(self._edges, positions, side="right")
            signal[segment % 2 == 1] = 0.0
        self._position += samples
        return _to_pcm(signal)


def render(spec: ToneSpec, seconds: float) -> Pcm:
    """`seconds` of a tone as one array (for prompts and tests)."""
    generator = ToneGenerator(spec)
    total = round(seconds * RATE)
    frame = generator.next_frame(total)
    return frame if frame is not None else np.zeros(0, dtype=np.int16)
