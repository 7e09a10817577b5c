"""`BusinessCalendar`: the one answer to "is it open at t, when does that change, and how many
business seconds lie between t1 and t2" (DESIGN §10: flows, queues, ticket SLAs and dialer
windows all ask it).

A calendar is weekly opening ranges (several per day: a lunch break is two ranges) plus dated
rules that replace a weekday's ranges: public holidays (closed), make-up workdays (调休上班:
open, usually on a weekend) and special days with their own hours. Everything is evaluated in
the calendar's IANA zone from epoch seconds handed in; nothing here reads the clock. Local
ranges become UTC intervals through `zoneinfo`, so a 09:00–18:00 day is 9 hours long on a DST
change day too, and an hour skipped by a spring-forward is never open.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from hotline.hours.errors import InvalidHours
from hotline.hours.spans import MINUTES_PER_DAY, WEEKDAYS, Span, check_zone, merge_spans

__all__ = ["BusinessCalendar", "DayKind", "DayRule", "HoursStatus"]

# Far enough for a year of holidays; a calendar closed longer than this is "never open".
HORIZON_DAYS = 400
_CACHE_DAYS = 4096


class HoursStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"  # outside the day's ranges
    HOLIDAY = "holiday"  # a public holiday (the flow's hours node may branch on it)


class DayKind(StrEnum):
    REGULAR = "regular"  # the weekday's ranges
    HOLIDAY = "holiday"  # closed all day
    WORKDAY = "workday"  # a make-up workday (调休上班): open with a workday's ranges
    SPECIAL = "special"  # its own ranges (empty: closed, but not a holiday)


@dataclass(frozen=True, slots=True)
class DayRule:
    kind: DayKind
    spans: tuple[Span, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind is DayKind.HOLIDAY and self.spans:
            raise InvalidHours("a holiday has no opening ranges", field="holidays")


@dataclass(frozen=True)
class BusinessCalendar:
    """Immutable; equal calendars compare (and hash) equal. Build with `hotline.hours.build`."""

    timezone: str
    weekly: tuple[tuple[Span, ...], ...]  # index 0 = Monday
    days: tuple[tuple[date, DayRule], ...] = ()  # sorted by date
    name: str = ""
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _rules: Mapping[date, DayRule] = field(init=False, repr=False, compare=False)
    # Open intervals per local date, computed once (a calendar is immutable); bounded.
    _intervals: dict[date, tuple[tuple[float, float], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise InvalidHours("weekly hours need seven days", field="weekly")
        for day, spans in zip(WEEKDAYS, self.weekly, strict=True):
            for start, end in spans:
                if not 0 <= start < end <= MINUTES_PER_DAY:
                    raise InvalidHours(
                        f"range {start}–{end} on {day} is not within the day",
                        field=f"weekly.{day}",
                    )
        object.__setattr__(self, "_zone", check_zone(self.timezone))
        object.__setattr__(self, "_rules", dict(self.days))
        object.__setattr__(self, "_intervals", {})

    @classmethod
    def create(
        cls,
        timezone: str,
        weekly: Sequence[Sequence[Span]],
        days: Mapping[date, DayRule] | None = None,
        *,
        name: str = "",
    ) -> BusinessCalendar:
        return cls(
            timezone,
            tuple(merge_spans(spans) for spans in weekly),
            tuple(sorted((days or {}).items())),
            name,
        )

    # == one day =============================================================================

    def rule(self, day: date) -> DayRule:
        """What applies on a local date: its dated rule, else the weekday's ranges."""
        rule = self._rules.get(day)
        if rule is not None:
            return rule
        return DayRule(DayKind.REGULAR, self.weekly[day.weekday()])

    def intervals(self, day: date) -> tuple[tuple[float, float], ...]:
        """The local date's open ranges as epoch intervals (empty ones — a range inside a
        spring-forward gap — left out)."""
        cached = self._intervals.get(day)
        if cached is not None:
            return cached
        out = []
        for start, end in self.rule(day).spans:
            a, b = self._epoch(day, start), self._epoch(day, end)
            if a < b:
                out.append((a, b))
        if len(self._intervals) >= _CACHE_DAYS:
            self._intervals.clear()
        self._intervals[day] = result = tuple(out)
        return result

    def _epoch(self, day: date, minute: int) -> float:
        if minute >= MINUTES_PER_DAY:
            day, minute = day + timedelta(days=1), minute - MINUTES_PER_DAY
        return datetime.combine(day, time(minute // 60, minute % 60), self._zone).timestamp()

    def local_date(self, t: float) -> date:
        return datetime.fromtimestamp(t, self._zone).date()

    # == questions ===========================================================================

    def status(self, t: float) -> HoursStatus:
        day = self.local_date(t)
        if any(a <= t < b for a, b in self.intervals(day)):
            return HoursStatus.OPEN
        return HoursStatus.HOLIDAY if self.rule(day).kind is DayKind.HOLIDAY else HoursStatus.CLOSED

    def is_open(self, t: float) -> bool:
        return self.status(t) is HoursStatus.OPEN

    def open_intervals(self, start: float, end: float) -> Iterator[tuple[float, float]]:
        """Open time within [start, end) as merged epoch intervals, in order."""
        if end <= start:
            return
        day, last = self.local_date(start) - timedelta(days=1), self.local_date(end)
        pending: tuple[float, float] | None = None
        while day <= last:
            for a, b in self.intervals(day):
                a, b = max(a, start), min(b, end)
                if a >= b:
                    continue
                if pending is not None and a <= pending[1]:
                    pending = (pending[0], max(pending[1], b))
                    continue
                if pending is not None:
                    yield pending
                pending = (a, b)
            day += timedelta(days=1)
        if pending is not None:
            yield pending

    def next_open(self, t: float) -> float | None:
        """`t` if open at `t`, else the next opening; None if closed for the horizon."""
        day = self.local_date(t)
        for offset in range(-1, HORIZON_DAYS):
            for a, b in self.intervals(day + timedelta(days=offset)):
                if a <= t < b:
                    return t
                if a > t:
                    return a
        return None

    def next_close(self, t: float) -> float | None:
        """`t` if closed at `t`, else the end of the open stretch (ranges that touch, such as
        24:00 and the next day's 00:00, count as one); None if it never closes."""
        day = self.local_date(t)
        end: float | None = None
        for offset in range(-1, HORIZON_DAYS):
            for a, b in self.intervals(day + timedelta(days=offset)):
                if end is None:
                    if a <= t < b:
                        end = b
                    elif a > t:
                        return t
                elif a <= end:
                    end = max(end, b)
                else:
                    return end
        return t if end is None else None

    def next_change(self, t: float) -> float | None:
        """The next opening or closing strictly after `t` (one timer for the router)."""
        if self.is_open(t):
            return self.next_close(t)
        return self.next_open(t)

    def business_seconds(self, t1: float, t2: float) -> float:
        """Open seconds in [t1, t2): the SLA clock. Zero when t2 ≤ t1."""
        return sum(b - a for a, b in self.open_intervals(t1, t2))

    def add_business_seconds(self, t: float, seconds: float) -> float | None:
        """The instant at which `seconds` of open time have passed since `t` (a deadline);
        None if the calendar does not hold that much open time within the horizon."""
        if seconds <= 0:
            return t
        left = seconds
        day = self.local_date(t)
        for offset in range(-1, HORIZON_DAYS):
            for a, b in self.intervals(day + timedelta(days=offset)):
                a = max(a, t)
                if a >= b:
                    continue
                if b - a >= left:
                    return a + left
                left -= b - a
        return None
