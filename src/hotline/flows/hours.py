"""Business-hours calendars and the tenant's local time, as the hours node and conditions see it.

A calendar has weekly opening ranges, holidays (single days or `2026-10-01..2026-10-07`) and
special days whose ranges replace everything else for that date — China's make-up working days
(调休) fall on weekends, so they must be able to open a Saturday inside a holiday season.
Calendars compile into the one business-hours engine (`hotline.hours`, docs/hours.md) that
queues use too; an hours node may also name one of the center's calendars, found through a
`CalendarSource`. Nothing here reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from hotline.hours import BusinessCalendar, HoursStatus, calendar_from_record

__all__ = [
    "WEEKDAYS",
    "Calendar",
    "CalendarSource",
    "HoursStatus",
    "check_timezone",
    "compile_calendar",
    "hours_status",
    "local_time_variables",
    "zone",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

_RANGE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)$")


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_timezone(name: str) -> str:
    try:
        zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name like Asia/Shanghai)"
        ) from None
    return name


def _span(text: str) -> tuple[int, int]:
    """`"09:00-18:00"` → minutes since midnight `(540, 1080)`."""
    m = _RANGE.match(text.strip())
    if m is None:
        raise ValueError(f"{text!r} is not a time range like 09:00-18:00")
    start = int(m.group(1)) * 60 + int(m.group(2))
    end = int(m.group(3)) * 60 + int(m.group(4))
    if start >= 24 * 60 or end > 24 * 60:
        raise ValueError(f"{text!r}: hours go from 00:00 to 24:00")
    if end <= start:
        raise ValueError(f"{text!r} ends before it starts; split a night shift at 24:00")
    return start, end


def _check_range(text: str) -> str:
    _span(text)
    return text.strip()


def _date_text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _days(text: str) -> tuple[date, date]:
    first, _, last = text.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (2026-10-01) or range (2026-10-01..2026-10-07)"
        ) from None
    if end < start:
        raise ValueError(f"{text!r}: the range ends before it starts")
    return start, end


def _check_days(text: str) -> str:
    _days(text)
    return text


TimeRange = Annotated[str, AfterValidator(_check_range)]
Holiday = Annotated[str, BeforeValidator(_date_text), AfterValidator(_check_days)]
TimeZoneName = Annotated[str, AfterValidator(check_timezone)]


class Calendar(BaseModel):
    """Opening hours. Days absent from `weekly` are closed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: TimeZoneName | None = None
    weekly: dict[Weekday, tuple[TimeRange, ...]] = Field(default_factory=dict)
    holidays: tuple[Holiday, ...] = ()
    special: dict[date, tuple[TimeRange, ...]] = Field(default_factory=dict)


class CalendarSource(Protocol):
    """Where a flow's hours node finds a calendar its file does not define: the center's
    calendars (`hotline.calendars.CalendarBook`), by name, per tenant."""

    def calendar(self, tenant_id: str, name: str) -> BusinessCalendar | None: ...


def compile_calendar(calendar: Calendar, default_timezone: str) -> BusinessCalendar:
    """An inline flow calendar as the one engine (`hotline.hours`): `holidays` close whole
    days, `special` days replace everything else for their date (a 调休 Saturday's hours)."""
    entries: list[dict[str, Any]] = [
        {"date": text, "kind": "holiday"} for text in calendar.holidays
    ]
    for day, ranges in calendar.special.items():
        if ranges:
            entries.append({"date": day.isoformat(), "kind": "workday", "hours": list(ranges)})
        else:
            entries.append({"date": day.isoformat(), "kind": "closed"})
    weekly: dict[str, list[str]] = {day: list(ranges) for day, ranges in calendar.weekly.items()}
    return calendar_from_record(
        {
            "timezone": calendar.timezone or default_timezone,
            "weekly": weekly,
            "holidays": entries,
        }
    )


def hours_status(calendar: Calendar, now: float, default_timezone: str) -> HoursStatus:
    """Whether the center is open at epoch `now` by an inline `calendar`."""
    return compile_calendar(calendar, default_timezone).status(now)


def local_time_variables(now: float, timezone: str) -> Mapping[str, int | str]:
    """The `now.*` variables conditions read, in the tenant's time zone."""
    local = datetime.fromtimestamp(now, zone(timezone))
    return {
        "now.year": local.year,
        "now.month": local.month,
        "now.day": local.day,
        "now.hour": local.hour,
        "now.minute": local.minute,
        "now.weekday": local.isoweekday(),  # 1 = Monday … 7 = Sunday
        "now.date": local.date().isoformat(),
        "now.time": f"{local.hour:02d}:{local.minute:02d}",
    }
