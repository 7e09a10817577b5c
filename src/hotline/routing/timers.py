"""The router's timers: one heap of deadlines keyed by (kind, subject), cancelled lazily.

Scheduling the same (kind, subject) again replaces the deadline; cancelling forgets it. Stale heap
entries are skipped when they surface and the heap is rebuilt when they outnumber live ones, so
`next_at()` is O(1) amortised and the adapter sets exactly one OS timer for the whole router.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from enum import StrEnum

__all__ = ["TimerKind", "Timers"]


class TimerKind(StrEnum):
    RING_TIMEOUT = "ring_timeout"  # subject: interaction id
    WRAP_UP_END = "wrap_up_end"  # subject: interaction id (the work item's)
    MAX_WAIT = "max_wait"  # subject: interaction id
    STICKY_EXPIRY = "sticky_expiry"  # subject: interaction id
    OVERFLOW = "overflow"  # subject: interaction id
    ANNOUNCE = "announce"  # subject: interaction id
    HOURS = "hours"  # subject: queue id
    DAY_ROLLOVER = "day_rollover"  # subject: ""


Key = tuple[TimerKind, str]


class Timers:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, TimerKind, str]] = []
        self._live: dict[Key, tuple[float, int]] = {}
        self._seq = 0

    def schedule(self, at: float, kind: TimerKind, subject: str) -> None:
        self._seq += 1
        self._live[(kind, subject)] = (at, self._seq)
        heapq.heappush(self._heap, (at, self._seq, kind, subject))
        if len(self._heap) > 64 and len(self._heap) > 3 * len(self._live):
            self._compact()

    def cancel(self, kind: TimerKind, subject: str) -> None:
        self._live.pop((kind, subject), None)

    def deadline(self, kind: TimerKind, subject: str) -> float | None:
        entry = self._live.get((kind, subject))
        return None if entry is None else entry[0]

    def next_at(self) -> float | None:
        self._drop_stale()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Iterator[tuple[float, TimerKind, str]]:
        """Yield due timers in deadline order; handlers may schedule more while iterating."""
        while True:
            self._drop_stale()
            if not self._heap or self._heap[0][0] > now:
                return
            at, _, kind, subject = heapq.heappop(self._heap)
            del self._live[(kind, subject)]
            yield at, kind, subject

    def __len__(self) -> int:
        return len(self._live)

    def _drop_stale(self) -> None:
        heap = self._heap
        while heap:
            at, seq, kind, subject = heap[0]
            if self._live.get((kind, subject)) == (at, seq):
                return
            heapq.heappop(heap)

    def _compact(self) -> None:
        self._heap = [(at, seq, kind, subj) for (kind, subj), (at, seq) in self._live.items()]
        heapq.heapify(self._heap)
