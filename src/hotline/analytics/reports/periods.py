"""Report periods in the tenant's time zone: a day, a week (Monday–Sunday), a month or any
range of days, each as [start, end) epoch seconds on interval edges, and the period before it
(the comparison)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hotline.analytics.reports.errors import PeriodInvalid

__all__ = ["MAX_DAYS", "Period", "PeriodKind", "period_of"]

MAX_DAYS = 366


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    RANGE = "range"


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    first: date  # the first local day
    last: date  # the last local day (inclusive)
    zone: ZoneInfo

    @property
    def start(self) -> float:
        return datetime.combine(self.first, time(0), self.zone).timestamp()

    @property
    def end(self) -> float:
        return datetime.combine(self.last + timedelta(days=1), time(0), self.zone).timestamp()

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    def previous(self) -> Period:
        """The period just before: the day, week or month before, or a range as long."""
        if self.kind is PeriodKind.MONTH:
            last = self.first - timedelta(days=1)
            return Period(self.kind, last.replace(day=1), last, self.zone)
        length = timedelta(days=self.days)
        return Period(self.kind, self.first - length, self.last - length, self.zone)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "first": self.first.isoformat(),
            "last": self.last.isoformat(),
            "start": self.start,
            "end": self.end,
            "time_zone": self.zone.key,
            "label": self.label,
        }


def _day(field: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PeriodInvalid(field, text) from None


def period_of(kind: str, day: str, zone: ZoneInfo, *, until: str | None = None) -> Period:
    """The period of `kind` holding local `day` (a range: `day` to `until`, inclusive)."""
    try:
        which = PeriodKind(kind)
    except ValueError:
        raise PeriodInvalid("period", kind) from None
    first = _day("date", day)
    if which is PeriodKind.DAY:
        return Period(which, first, first, zone)
    if which is PeriodKind.WEEK:
        monday = first - timedelta(days=first.weekday())
        return Period(which, monday, monday + timedelta(days=6), zone)
    if which is PeriodKind.MONTH:
        start = first.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(which, start, following - timedelta(days=1), zone)
    if until is None:
        raise PeriodInvalid("until", "")
    last = _day("until", until)
    if last < first or (last - first).days + 1 > MAX_DAYS:
        raise PeriodInvalid("until", until)
    return Period(which, first, last, zone)
