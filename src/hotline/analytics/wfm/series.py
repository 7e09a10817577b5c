"""Interval history as a day × interval matrix, and the calendar of special days.

A queue's history is one row per local calendar day and one column per interval of the day
(24 at one hour, 96 at 15 minutes, 288 at 5 minutes): weekly and daily seasonality are then
plain row and column arithmetic. Missing data (a day the source lost) is NaN, never 0.

Special days (public holidays, 调休 workdays) come from the business-hours engine through a
small port; here they are a mapping date → `DayKind`. A model never looks at the weekday of
a date directly: it asks the calendar for the date's *profile day*, so a holiday behaves like
the center's rest day and a 调休 Saturday like an ordinary weekday.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from hotline.analytics.wfm.errors import WfmInputError

__all__ = [
    "DayCalendar",
    "DayKind",
    "IntervalHistory",
    "Matrix",
    "intervals_per_day",
]

Matrix = npt.NDArray[np.float64]

SECONDS_PER_DAY = 86_400


class DayKind(StrEnum):
    REGULAR = "regular"
    HOLIDAY = "holiday"  # public holiday: behaves like the rest day
    WORKDAY = "workday"  # 调休: a weekend day worked as a weekday


def intervals_per_day(interval_s: int) -> int:
    """Intervals in a day; the interval must be at least 5 minutes and divide the day."""
    if isinstance(interval_s, bool) or not isinstance(interval_s, int):
        raise WfmInputError(f"interval must be whole seconds, not {interval_s!r}", field="interval")
    if interval_s < 300 or SECONDS_PER_DAY % interval_s:
        raise WfmInputError(
            f"interval must be at least 300 s and divide a day, not {interval_s} s",
            field="interval",
        )
    return SECONDS_PER_DAY // interval_s


@dataclass(frozen=True, slots=True)
class DayCalendar:
    """Which days are special and which ordinary weekday each kind behaves like.

    Weekdays are Python's: Monday 0 … Sunday 6. `holiday_as` defaults to Sunday (the rest day
    of a Chinese center); `workday_as` to Monday.
    """

    special: Mapping[date, DayKind] = field(default_factory=dict)
    holiday_as: int = 6
    workday_as: int = 0

    def kind(self, day: date) -> DayKind:
        return self.special.get(day, DayKind.REGULAR)

    def profile_day(self, day: date) -> int:
        kind = self.kind(day)
        if kind is DayKind.HOLIDAY:
            return self.holiday_as
        if kind is DayKind.WORKDAY:
            return self.workday_as
        return day.weekday()

    def profiles(self, days: Iterable[date]) -> npt.NDArray[np.int64]:
        return np.array([self.profile_day(d) for d in days], dtype=np.int64)

    def is_special(self, days: Iterable[date]) -> npt.NDArray[np.bool_]:
        return np.array([d in self.special for d in days], dtype=bool)


@dataclass(frozen=True, slots=True)
class IntervalHistory:
    """What happened per interval of consecutive days: contacts offered, answered, abandoned,
    handle seconds of the answered ones and wait seconds of every queued caller.

    All matrices have shape (days, intervals per day). `answered`, `handle_s`, `abandoned`
    and `wait_s` may be None when the source has counts only.
    """

    first_day: date
    interval_s: int
    offered: Matrix
    answered: Matrix | None = None
    handle_s: Matrix | None = None
    abandoned: Matrix | None = None
    wait_s: Matrix | None = None

    def __post_init__(self) -> None:
        per_day = intervals_per_day(self.interval_s)
        for name in ("offered", "answered", "handle_s", "abandoned", "wait_s"):
            matrix = getattr(self, name)
            if matrix is None:
                continue
            if matrix.ndim != 2 or matrix.shape[1] != per_day:
                raise WfmInputError(
                    f"{name} must have {per_day} intervals a day, not shape {matrix.shape}",
                    field=name,
                )
            if matrix.shape[0] != self.offered.shape[0]:
                raise WfmInputError(f"{name} must cover the same days as offered", field=name)

    @property
    def days(self) -> int:
        return int(self.offered.shape[0])

    @property
    def per_day(self) -> int:
        return int(self.offered.shape[1])

    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]

    def head(self, days: int) -> IntervalHistory:
        """The first `days` days (what a forecaster made at that origin could have seen)."""

        def cut(m: Matrix | None) -> Matrix | None:
            return None if m is None else m[:days]

        return IntervalHistory(
            self.first_day,
            self.interval_s,
            self.offered[:days],
            cut(self.answered),
            cut(self.handle_s),
            cut(self.abandoned),
            cut(self.wait_s),
        )

    def coarsen(self, interval_s: int) -> IntervalHistory:
        """Sum into longer intervals (e.g. 15 minutes → 1 hour); NaN stays NaN."""
        factor, rest = divmod(interval_s, self.interval_s)
        if rest or factor < 1:
            raise WfmInputError(
                f"cannot turn {self.interval_s} s intervals into {interval_s} s ones",
                field="interval",
            )
        intervals_per_day(interval_s)

        def fold(m: Matrix | None) -> Matrix | None:
            if m is None:
                return None
            folded: Matrix = m.reshape(m.shape[0], -1, factor).sum(axis=2)
            return folded

        offered = fold(self.offered)
        assert offered is not None
        return IntervalHistory(
            self.first_day,
            interval_s,
            offered,
            fold(self.answered),
            fold(self.handle_s),
            fold(self.abandoned),
            fold(self.wait_s),
        )

    def aht_s(self) -> Matrix | None:
        """Mean handle time per interval (NaN where nothing was answered)."""
        if self.answered is None or self.handle_s is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.answered > 0, self.handle_s / self.answered, np.nan)


def day_range(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def from_counts(counts: Sequence[tuple[date, int, float]], interval_s: int) -> IntervalHistory:
    """History from (day, interval index, count) triples; days with no row at all are NaN."""
    per_day = intervals_per_day(interval_s)
    if not counts:
        raise WfmInputError("no intervals to build a history from", field="counts")
    first = min(c[0] for c in counts)
    last = max(c[0] for c in counts)
    days = (last - first).days + 1
    matrix = np.full((days, per_day), np.nan)
    seen = np.zeros(days, dtype=bool)
    for day, index, value in counts:
        row = (day - first).days
        if not seen[row]:
            matrix[row] = 0.0
            seen[row] = True
        matrix[row, index] += value
    return IntervalHistory(first, interval_s, matrix)
