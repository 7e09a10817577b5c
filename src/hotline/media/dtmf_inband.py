"""In-band DTMF detection (ITU-T Q.24) for peers that send tones instead of RFC 4733 events.

Every 5 ms a 20 ms Hann window is tested with Goertzel filters at the eight Q.23 frequencies.
A window "hits" a digit when, with `x` its samples:

- the strongest low and high group tones are each above `min_level_dbm0`;
- twist (high − low level) is within +`max_forward_twist_db` / −`max_reverse_twist_db`;
- the two tones hold at least `min_tone_share` of the window's energy (speech does not);
- both tones lie within ±`max_frequency_error` of nominal, measured on a 0.25 % grid
  (Q.24: operate within ±1.5 %, never at ±3.5 % and beyond);
- the tone is steady across the window (its halves differ by less than 3 dB).

A digit starts after `min_hits` consecutive hits (≈ 30 ms of tone: Q.24 operates at 40 ms and
rejects below ~23 ms) and ends after `end_misses` misses, which bridges drop-outs of about 10 ms
and separates digits by pauses of 40 ms. Work is vectorised over all windows of a frame.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from hotline.media.dtmf import DtmfDigit, DtmfSource
from hotline.media.tones import DTMF_FREQUENCIES, amplitude_of_dbm0

__all__ = ["DetectorSettings", "InbandDtmfDetector", "feed_all"]

RATE = 8000
WINDOW = 160
HOP = 40
LOW = np.array([697.0, 770.0, 852.0, 941.0])
HIGH = np.array([1209.0, 1336.0, 1477.0, 1633.0])
_KEYPAD = ("123A", "456B", "789C", "*0#D")
_HANN = np.hanning(WINDOW + 2)[1:-1]  # no zero end points: every sample counts
_S1 = float(_HANN.sum())
_S2 = float((_HANN**2).sum())
_N = np.arange(WINDOW)
_FREQS = np.concatenate([LOW, HIGH])
# Windowed DTFT basis at the eight nominal frequencies: cos and sin rows.
_BASIS = np.concatenate(
    [
        _HANN * np.cos(2 * math.pi * _FREQS[:, None] * _N / RATE),
        _HANN * np.sin(2 * math.pi * _FREQS[:, None] * _N / RATE),
    ]
).T
# Sample indices of the windows a frame or two of audio yields (row k starts at k × HOP).
_STARTS = np.arange(WINDOW)[None, :] + HOP * np.arange(16)[:, None]
_GRID = np.linspace(-0.05, 0.05, 41)  # relative deviations for the fine frequency check

assert all(DTMF_FREQUENCIES[_KEYPAD[r][c]] == (LOW[r], HIGH[c]) for r in range(4) for c in range(4))


@dataclasses.dataclass(frozen=True, slots=True)
class DetectorSettings:
    min_level_dbm0: float = -32.0
    max_forward_twist_db: float = 6.0  # high group louder; Q.24 operate ≤ 4 dB
    max_reverse_twist_db: float = 10.0  # low group louder; Q.24 operate ≤ 8 dB
    min_tone_share: float = 0.7
    max_frequency_error: float = 0.025
    min_hits: int = 4
    end_misses: int = 6


def _power_to_dbm0(power: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    amplitude = 2 * np.sqrt(power) / _S1
    db: npt.NDArray[np.float64] = 20 * np.log10(np.maximum(amplitude, 1e-9) / amplitude_of_dbm0(0))
    return db


def _fine_deviation(window: npt.NDArray[np.float64], nominal: float) -> float:
    """Relative deviation of the spectral peak near `nominal`, with parabolic interpolation."""
    freqs = nominal * (1 + _GRID)
    phase = 2 * math.pi * freqs[:, None] * _N / RATE
    weighted = window * _HANN
    power = (np.cos(phase) @ weighted) ** 2 + (np.sin(phase) @ weighted) ** 2
    k = int(np.argmax(power))
    if k in (0, len(_GRID) - 1):
        return float(_GRID[k])
    a, b, c = np.log(power[k - 1 : k + 2] + 1e-12)
    offset = 0.5 * (a - c) / (a - 2 * b + c) if (a - 2 * b + c) < 0 else 0.0
    return float(_GRID[k] + offset * (_GRID[1] - _GRID[0]))


def _classify(windows: npt.NDArray[np.float64], s: DetectorSettings) -> list[str]:
    """Each window's digit or "" (windows of any number of streams at once)."""
    projections = windows @ _BASIS
    power = projections[:, :8] ** 2 + projections[:, 8:] ** 2
    low_index = np.argmax(power[:, :4], axis=1)
    high_index = np.argmax(power[:, 4:], axis=1)
    rows = np.arange(len(windows))
    low_power = power[rows, low_index]
    high_power = power[rows, 4 + high_index]
    energy = ((windows * _HANN) ** 2).sum(axis=1) + 1e-9
    share = (low_power + high_power) * 2 * _S2 / (_S1**2 * energy)
    low_db, high_db = _power_to_dbm0(low_power), _power_to_dbm0(high_power)
    twist = high_db - low_db
    half_a = (windows[:, : WINDOW // 2] ** 2).sum(axis=1) + 1e-9
    half_b = (windows[:, WINDOW // 2 :] ** 2).sum(axis=1) + 1e-9
    steady = np.abs(np.log10(half_a / half_b)) < 0.3
    candidate = (
        (low_db >= s.min_level_dbm0)
        & (high_db >= s.min_level_dbm0)
        & (twist <= s.max_forward_twist_db)
        & (twist >= -s.max_reverse_twist_db)
        & (share >= s.min_tone_share)
        & steady
    )
    hits = [""] * len(windows)
    for i in np.nonzero(candidate)[0]:
        low, high = LOW[low_index[i]], HIGH[high_index[i]]
        if (
            abs(_fine_deviation(windows[i], low)) <= s.max_frequency_error
            and abs(_fine_deviation(windows[i], high)) <= s.max_frequency_error
        ):
            hits[i] = _KEYPAD[low_index[i]][high_index[i]]
    return hits


class InbandDtmfDetector:
    """Feed 8 kHz int16 audio in any chunk size; get digits back when they end."""

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings or DetectorSettings()
        self._buffer = np.zeros(0, dtype=np.float64)
        self._run_digit = ""
        self._run_hits = 0
        self._active = ""
        self._active_hits = 0
        self._misses = 0

    @property
    def active(self) -> str | None:
        return self._active or None

    def feed(self, samples: npt.NDArray[np.int16]) -> list[DtmfDigit]:
        return feed_all([(self, samples)])[0]

    def _windows(self, samples: npt.NDArray[np.int16]) -> npt.NDArray[np.float64] | None:
        """The complete windows the buffer holds with `samples` added (consumed from it)."""
        self._buffer = np.concatenate([self._buffer, samples.astype(np.float64)])
        count = (len(self._buffer) - WINDOW) // HOP + 1
        if count <= 0:
            return None
        if count > len(_STARTS):
            windows = np.lib.stride_tricks.sliding_window_view(self._buffer, WINDOW)[::HOP][:count]
        else:  # the usual chunk: one indexing instead of building a strided view
            windows = self._buffer[_STARTS[:count]]
        self._buffer = self._buffer[count * HOP :]
        return windows

    def _advance(self, hits: Sequence[str]) -> list[DtmfDigit]:
        found: list[DtmfDigit] = []
        for hit in hits:
            digit = self._step(hit)
            if digit is not None:
                found.append(digit)
        return found

    def flush(self) -> list[DtmfDigit]:
        """End of stream: report a digit still being held."""
        digit = self._finish()
        return [digit] if digit is not None else []

    def _step(self, hit: str) -> DtmfDigit | None:
        s = self.settings
        if hit and hit == self._run_digit:
            self._run_hits += 1
        else:
            self._run_digit, self._run_hits = hit, (1 if hit else 0)
        if self._active:
            if hit == self._active:
                self._misses = 0
                self._active_hits += 1
                return None
            self._misses += 1
            if self._misses >= s.end_misses or self._run_hits >= s.min_hits:
                done = self._finish()
                self._start_if_ready()
                return done
            return None
        self._start_if_ready()
        return None

    def _start_if_ready(self) -> None:
        if self._run_digit and self._run_hits >= self.settings.min_hits:
            self._active, self._active_hits, self._misses = self._run_digit, self._run_hits, 0

    def _finish(self) -> DtmfDigit | None:
        if not self._active:
            return None
        # Hits span the tone minus about three quarters of a window (steadiness test).
        duration_ms = (self._active_hits - 1) * HOP * 1000 // RATE + 15
        digit = DtmfDigit(self._active, duration_ms, DtmfSource.INBAND)
        self._active, self._active_hits, self._misses = "", 0, 0
        return digit


def feed_all(
    feeds: Sequence[tuple[InbandDtmfDetector, npt.NDArray[np.int16]]],
) -> list[list[DtmfDigit]]:
    """Audio for several detectors at once; the digits each one found, in order.

    The same as feeding each detector alone, but the windows of all of them are classified in
    one set of array operations: the media tick feeds every listening call together, and a
    frame's handful of windows costs about as much in per-operation overhead as thousands.
    """
    windows_of: list[npt.NDArray[np.float64] | None] = []
    groups: dict[DetectorSettings, list[int]] = {}
    for index, (detector, samples) in enumerate(feeds):
        windows = detector._windows(samples)
        windows_of.append(windows)
        if windows is not None:
            groups.setdefault(detector.settings, []).append(index)
    hits_of: list[Sequence[str]] = [()] * len(feeds)
    for settings, members in groups.items():
        parts = [w for w in (windows_of[i] for i in members) if w is not None]
        hits = _classify(parts[0] if len(parts) == 1 else np.concatenate(parts), settings)
        at = 0
        for i, part in zip(members, parts, strict=True):
            hits_of[i] = hits[at : at + len(part)]
            at += len(part)
    return [detector._advance(hits) for (detector, _), hits in zip(feeds, hits_of, strict=True)]
