"""Holiday calendars in and out of iCalendar (RFC 5545) files.

Reading takes every all-day `VEVENT` (`DTSTART;VALUE=DATE`, `DTEND` exclusive) as one entry per
day. An event is a make-up workday (调休上班) when its `X-HOTLINE-KIND` is `workday`, its
`CATEGORIES` hold `WORKDAY`, or its summary says 上班 / 补班 (how the common Chinese holiday
feeds write it); otherwise a holiday. Bad files raise `IcsInvalid` naming the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

import icalendar

from hotline.errors import InvalidInput

__all__ = ["IcsInvalid", "read_ics", "write_ics"]

MAX_EVENT_DAYS = 60
MAX_BYTES = 2_000_000
_WORK_WORDS = ("上班", "补班", "调休上班", "workday", "make-up")


class IcsInvalid(InvalidInput):
    code = "calendar.ics.invalid"


def _day(value: Any, where: str) -> date:
    raw = getattr(value, "dt", value)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    raise IcsInvalid(f"{where}: no date", details={"field": where})


def _is_workday(event: Any, summary: str) -> bool:
    kind = str(event.get("X-HOTLINE-KIND", "")).strip().lower()
    if kind:
        return kind == "workday"
    categories: list[str] = []
    for value in (
        event.get("CATEGORIES", [])
        if isinstance(event.get("CATEGORIES"), list)
        else [event.get("CATEGORIES")]
    ):
        if value is not None:
            categories.extend(str(c).upper() for c in getattr(value, "cats", [value]))
    if "WORKDAY" in categories:
        return True
    return any(word in summary.lower() for word in _WORK_WORDS)


def read_ics(data: bytes | str) -> list[dict[str, Any]]:
    """Entries `{"date", "kind", "name"}`, one per day, sorted; a later event wins a date."""
    if len(data) > MAX_BYTES:
        raise IcsInvalid("the file is larger than 2 MB", details={"field": "file"})
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as error:
        raise IcsInvalid(f"not an iCalendar file: {error}", details={"field": "file"}) from None
    by_date: dict[date, dict[str, Any]] = {}
    for index, event in enumerate(calendar.walk("VEVENT")):
        where = f"VEVENT {index + 1}"
        summary = str(event.get("SUMMARY", "")).strip()
        if event.get("DTSTART") is None:
            raise IcsInvalid(f"{where} ({summary}): no DTSTART", details={"field": where})
        start = _day(event.get("DTSTART"), f"{where}.DTSTART")
        end = _day(event.get("DTEND"), f"{where}.DTEND") if event.get("DTEND") else None
        days = max(1, (end - start).days) if end is not None else 1
        if days > MAX_EVENT_DAYS:
            raise IcsInvalid(
                f"{where} ({summary}) lasts {days} days; a holiday is at most {MAX_EVENT_DAYS}",
                details={"field": where},
            )
        kind = "workday" if _is_workday(event, summary) else "holiday"
        for n in range(days):
            day = start + timedelta(days=n)
            by_date[day] = {"date": day.isoformat(), "kind": kind, "name": summary[:100]}
    if not by_date:
        raise IcsInvalid("the file holds no all-day events", details={"field": "file"})
    return [by_date[d] for d in sorted(by_date)]


def write_ics(entries: Iterable[Mapping[str, Any]], *, name: str, description: str = "") -> bytes:
    """One all-day event per entry (what `read_ics` reads back)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Hotline//holiday calendars//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if description:
        calendar.add("x-wr-caldesc", description)
    for entry in entries:
        day = date.fromisoformat(str(entry["date"]))
        event = icalendar.Event()
        event.add("uid", f"{day.isoformat()}-{entry.get('kind', 'holiday')}@hotline")
        event.add("dtstamp", datetime(2026, 1, 1))
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", str(entry.get("name", "")))
        kind = str(entry.get("kind", "holiday"))
        event.add("x-hotline-kind", kind)
        event.add("categories", ["WORKDAY" if kind == "workday" else "HOLIDAY"])
        event.add("transp", "OPAQUE" if kind == "workday" else "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
