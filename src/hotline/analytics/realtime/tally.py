"""Exact running counts: per-day tallies, the sliding window, and the tenant's day.

Durations are kept as whole milliseconds, so adding a contribution and later taking it back out
of the sliding window leaves exactly what was there: a projection fed the same records gives
the same figures however its snapshots were interleaved (the replay guarantee, ADR 0050).
"""

from __future__ import annotations

import heapq
import math
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

__all__ = ["Contribution", "Count", "SlidingWindow", "Tally", "TenantDay", "to_ms"]


class Count(IntEnum):
    """The counters a period keeps (GLOSSARY "let, per queue and interval")."""

    OFFERED = 0  # entered the queue
    REJECTED = 1  # turned away at the door (closed, full): not offered
    ANSWERED = 2
    ANSWERED_IN_SL = 3  # answered with wait ≤ the SL threshold carried by the event
    ANSWER_WAIT_MS = 4  # sum of waits of answered contacts
    ABANDONED = 5
    SHORT_ABANDONED = 6  # abandoned with wait ≤ the short-abandon threshold
    ABANDONED_AFTER_SL = 7  # abandoned, not short, with wait > the SL threshold
    CALLBACKS = 8  # left the queue keeping a callback in line
    CALLBACKS_FAILED = 9  # the customer could not be reached for the callback
    EXITED = 10  # sent elsewhere by the router: max wait, closed, overflow out, reconcile
    COMPLETED = 11  # handling finished (talk + hold + wrap-up known)
    HANDLE_MS = 12  # sum of handle times of completed contacts
    CSAT_ANSWERS = 13
    CSAT_SATISFIED = 14
    TRANSFERRED = 15
    WRAP_UP_OVERRUNS = 16  # wrap-ups that ran past their timer with a disposition due


Contribution = tuple[tuple[Count, int], ...]
"""What one record adds to a period, e.g. ((Count.ANSWERED, 1), (Count.ANSWER_WAIT_MS, 12_000))."""

_SIZE = len(Count)


def to_ms(seconds: float) -> int:
    """Whole milliseconds: exact to add and subtract, and finer than any figure we show."""
    return round(seconds * 1000.0)


class Tally:
    """One period's counters."""

    __slots__ = ("revision", "values")

    def __init__(self) -> None:
        self.values = [0] * _SIZE
        self.revision = 0  # moves on every change, so figures made from it can be cached

    def __getitem__(self, count: Count) -> int:
        return self.values[count]

    def add(self, contribution: Contribution, sign: int = 1) -> None:
        values = self.values
        for count, amount in contribution:
            values[count] += sign * amount
        self.revision += 1

    def reset(self) -> None:
        self.values = [0] * _SIZE
        self.revision += 1

    def copy(self) -> Tally:
        other = Tally()
        other.values = list(self.values)
        return other

    def as_tuple(self) -> tuple[int, ...]:
        return tuple(self.values)


class SlidingWindow:
    """A tally of the contributions whose time is within the last `length_s` seconds.

    The window is (cutoff, ∞) with cutoff = latest time seen − `length_s`: a contribution made
    exactly `length_s` ago has just left. Contributions are held in a heap by time, so records
    slightly out of time order (producers on several tasks) leave at the right moment. The
    cutoff only moves forward; a contribution already older than it is not counted.
    """

    __slots__ = ("_heap", "_order", "cutoff", "length_s", "totals")

    def __init__(self, length_s: float) -> None:
        self.length_s = length_s
        self.totals = Tally()
        self.cutoff = -math.inf
        self._heap: list[tuple[float, int, Contribution]] = []
        self._order = 0

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, at: float, contribution: Contribution) -> None:
        if at <= self.cutoff:
            return
        self._order += 1  # ties on `at` leave in the order they came
        heapq.heappush(self._heap, (at, self._order, contribution))
        self.totals.add(contribution)

    def advance(self, now: float) -> None:
        cutoff = now - self.length_s
        if cutoff <= self.cutoff:
            return
        self.cutoff = cutoff
        heap = self._heap
        while heap and heap[0][0] <= cutoff:
            self.totals.add(heapq.heappop(heap)[2], -1)


class TenantDay:
    """ "Today" in the tenant's time zone: [start, end) in epoch seconds, moving only forward."""

    __slots__ = ("date", "end", "start", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.date: date | None = None
        self.start = -math.inf
        self.end = -math.inf

    def advance(self, now: float) -> bool:
        """Move to the day holding `now` if it is later; True when the day changed."""
        if now < self.end:
            return False
        self.date = datetime.fromtimestamp(now, self.zone).date()
        self.start = self.midnight(self.date)
        self.end = self.midnight(self.date + timedelta(days=1))
        return True

    def midnight(self, day: date) -> float:
        return datetime.combine(day, time(0), self.zone).timestamp()

    def contains(self, at: float) -> bool:
        return self.start <= at < self.end

    def overlap_ms(self, begin: float, end: float) -> int:
        """Milliseconds of [begin, end) that fall within today."""
        lo, hi = max(begin, self.start), min(end, self.end)
        return to_ms(hi - lo) if hi > lo else 0
