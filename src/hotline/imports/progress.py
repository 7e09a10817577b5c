"""Progress of a run: phase, rows done, percent, rows per second and time left.

Written by the run (from its worker thread too: plain attribute stores), read by the page's
poll and the CLI's bar through `snapshot()`. Time comes from an injected monotonic clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from hotline.imports.errors import ImportCancelled

__all__ = ["CancelToken", "Phase", "Progress"]


class Phase(StrEnum):
    READING = "reading"  # reading and cleaning the file
    MATCHING = "matching"  # dry run: comparing with the records there are
    WRITING = "writing"  # commit: writing, inside the import's one transaction


# Share of the whole run each phase takes, by kind of run (for the overall percent).
_SPANS = {
    "check": {Phase.READING: (0.0, 0.8), Phase.MATCHING: (0.8, 1.0)},
    "commit": {Phase.READING: (0.0, 0.5), Phase.WRITING: (0.5, 1.0)},
}


class CancelToken:
    """Set by `cancel()`, or by whatever `also` says (the job host's cancel of a firing)."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.also: Callable[[], bool] | None = None

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set() or bool(self.also and self.also())

    def check(self) -> None:
        if self.cancelled:
            raise ImportCancelled("the import was cancelled; nothing of it was written")


@dataclass
class Progress:
    monotonic: Callable[[], float]
    kind: str = "check"  # check | commit
    phase: Phase | None = None
    done: int = 0
    total: int | None = None
    _fraction: float | None = None
    _started: float = 0.0
    finished: bool = False
    listener: Callable[[Progress], None] | None = None  # told after each step (the job host)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def start(self, phase: Phase, total: int | None = None) -> None:
        with self._lock:
            self.phase, self.done, self.total, self._fraction = phase, 0, total, None
            self._started = self.monotonic()

    def advance(self, rows: int, fraction: float | None = None) -> None:
        with self._lock:
            self.done += rows
            if fraction is not None:
                self._fraction = fraction
        if self.listener is not None:
            self.listener(self)

    def finish(self) -> None:
        self.finished = True

    def phase_fraction(self) -> float | None:
        if self.finished:
            return 1.0
        if self._fraction is not None:
            return self._fraction
        if self.total:
            return min(1.0, self.done / self.total)
        return None

    def snapshot(self) -> dict[str, Any]:
        """`percent` of the whole run, the phase's own percent, `rows_per_s`, `eta_s`."""
        with self._lock:
            phase, done = self.phase, self.done
            fraction = self.phase_fraction()
            elapsed = max(self.monotonic() - self._started, 1e-9)
        rate = done / elapsed if done else 0.0
        eta = None
        if fraction and 0 < fraction < 1:
            eta = elapsed * (1 - fraction) / fraction
        elif fraction == 1:
            eta = 0.0
        overall = None
        if phase is not None and fraction is not None:
            low, high = _SPANS.get(self.kind, {}).get(phase, (0.0, 1.0))
            overall = low + (high - low) * fraction
        if self.finished:
            overall = 1.0
        return {
            "kind": self.kind,
            "phase": str(phase) if phase else None,
            "done": done,
            "total": self.total,
            "percent": None if overall is None else round(100 * overall, 1),
            "phase_percent": None if fraction is None else round(100 * fraction, 1),
            "rows_per_s": round(rate, 1),
            "eta_s": None if eta is None else round(eta, 1),
        }
