"""Opening hours of a queue: weekly spans in the tenant's time zone, minus closed dates.

Pure computation: the time zone is a `tzinfo` handed in from the edge (a `ZoneInfo` built in
`app.py`), and `now` comes in as epoch seconds. `next_change` lets the router set one timer for
the next opening or closing instead of polling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from hotline.routing.errors import InvalidRoutingConfig

__all__ = ["OpeningHours"]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_MINUTES_PER_DAY = 24 * 60
_LOOKAHEAD_DAYS = 400  # a year of closed dates is the longest a queue can sensibly stay shut

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """`weekly[d]` holds the open spans (start, end) in minutes of local day `d` (0 = Monday).

    An end of 1440 means midnight at the end of the day.
    """

    weekly: tuple[tuple[Span, ...], ...]
    closed_dates: frozenset[date] = frozenset()
    tz: tzinfo = UTC

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise InvalidRoutingConfig("opening hours need seven days", field="hours")
        for day, spans in zip(_DAYS, self.weekly, strict=True):
            for start, end in spans:
                if not 0 <= start < end <= _MINUTES_PER_DAY:
                    raise InvalidRoutingConfig(
                        f"opening span {start}–{end} on {day} is not within the day",
                        field=f"hours.{day}",
                    )

    @classmethod
    def from_spec(
        cls,
        spec: Mapping[str, str | Iterable[str]],
        *,
        closed_dates: Iterable[date] = (),
        tz: tzinfo = UTC,
    ) -> OpeningHours:
        """From `{"mon-fri": "08:00-20:00", "sat": ["09:00-12:00", "13:00-17:00"]}`."""
        weekly: list[list[Span]] = [[] for _ in _DAYS]
        for days, spans in spec.items():
            span_texts = [spans] if isinstance(spans, str) else list(spans)
            for day in _expand_days(days):
                weekly[day].extend(_parse_span(text, days) for text in span_texts)
        return cls(tuple(tuple(sorted(day)) for day in weekly), frozenset(closed_dates), tz)

    @classmethod
    def always(cls) -> OpeningHours:
        return cls(tuple(((0, _MINUTES_PER_DAY),) for _ in _DAYS))

    def is_open(self, now: float) -> bool:
        local = datetime.fromtimestamp(now, self.tz)
        if local.date() in self.closed_dates:
            return False
        minute = local.hour * 60 + local.minute + local.second / 60
        return any(start <= minute < end for start, end in self.weekly[local.weekday()])

    def next_change(self, now: float) -> float | None:
        """Epoch seconds of the next opening or closing after `now`; `None` if never."""
        currently = self.is_open(now)
        day = datetime.fromtimestamp(now, self.tz).date()
        for offset in range(_LOOKAHEAD_DAYS):
            current = day + timedelta(days=offset)
            for boundary in self._boundaries(current):
                if boundary > now and self.is_open(boundary) != currently:
                    return boundary
        return None

    def _boundaries(self, day: date) -> list[float]:
        points = {0}
        for start, end in self.weekly[day.weekday()]:
            points.update((start, end))
        return sorted(self._epoch(day, minute) for minute in points)

    def _epoch(self, day: date, minute: int) -> float:
        if minute >= _MINUTES_PER_DAY:
            day, minute = day + timedelta(days=1), minute - _MINUTES_PER_DAY
        local = datetime.combine(day, time(minute // 60, minute % 60), self.tz)
        return local.timestamp()


def _expand_days(text: str) -> list[int]:
    days: list[int] = []
    for part in text.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise InvalidRoutingConfig(
                f"{text!r} is not a day or day range like 'mon-fri'", field="hours"
            )
        a, b = _DAYS.index(first), _DAYS.index(last or first)
        days.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return days


def _parse_span(text: str, days: str) -> Span:
    match = _SPAN.match(text)
    if match is None:
        raise InvalidRoutingConfig(
            f"{text!r} is not a span like '08:00-20:00'", field=f"hours.{days}"
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59:
        raise InvalidRoutingConfig(f"{text!r} is not a valid time span", field=f"hours.{days}")
    return h1 * 60 + m1, h2 * 60 + m2
